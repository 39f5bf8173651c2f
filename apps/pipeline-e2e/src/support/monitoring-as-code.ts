import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

/**
 * Reads the dashboards and alert rules in deploy/ as the queries Prometheus has to answer: every
 * panel target, every templating variable and every rule, each with where it came from.
 */

export interface Query {
  /** Where it is, for the failure message: `service-detail.json panel 7 "CPU" target A`. */
  where: string;
  expr: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function dashboardFiles(dashboardsDir: string): string[] {
  return readdirSync(dashboardsDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => path.join(dashboardsDir, name));
}

/** The PromQL of every panel target (rows' nested panels included) of one dashboard JSON file. */
export function panelQueries(file: string): Query[] {
  const dashboard: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const queries: Query[] = [];
  const visit = (panels: unknown) => {
    for (const panel of arrayOf(panels).filter(isObject)) {
      for (const target of arrayOf(panel['targets']).filter(isObject)) {
        const expr = target['expr'];
        queries.push({
          where: `${path.basename(file)} panel ${String(panel['id'])} "${String(panel['title'])}" target ${String(target['refId'])}`,
          expr: typeof expr === 'string' ? expr : '',
        });
      }
      visit(panel['panels']);
    }
  };
  visit(isObject(dashboard) ? dashboard['panels'] : undefined);
  return queries;
}

export interface Variable {
  name: string;
  /** The query of a `query` variable, e.g. `label_values(up{job="newsflow"}, service)`. */
  query: string;
}

export function templateVariables(file: string): Variable[] {
  const dashboard: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const templating = isObject(dashboard) ? dashboard['templating'] : undefined;
  return arrayOf(isObject(templating) ? templating['list'] : undefined)
    .filter(isObject)
    .map((variable) => {
      const query = variable['query'];
      return {
        name: String(variable['name']),
        query: typeof query === 'string' ? query : isObject(query) ? String(query['query'] ?? '') : '',
      };
    });
}

/**
 * A Grafana variable query as PromQL that returns one series per value: `label_values(<selector>,
 * <label>)` becomes `count by (<label>) (<selector>)`. Other Grafana query functions are not used in
 * our dashboards; they are returned unchanged (and fail to parse, which the test reports).
 */
export function variableQueryAsPromQL(query: string): string {
  const match = /^\s*label_values\(\s*(.+?)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)\s*$/s.exec(query);
  return match ? `count by (${match[2]}) (${match[1]})` : query;
}

/**
 * Grafana's variables replaced the way Grafana would at query time. `$__rate_interval` (at least four
 * scrape intervals) becomes `rateInterval`; a multi-value variable with "All" selected becomes the
 * regex of all its values, which is what `=~"$service"` then matches.
 */
export function substituteGrafanaVariables(
  expr: string,
  values: { rateInterval: string; interval: string; range: string; variables: Record<string, string[]> },
): string {
  return expr.replace(
    /\$\{?(__rate_interval|__interval|__range|[A-Za-z_][A-Za-z0-9_]*)\}?/g,
    (whole, name) => {
      if (name === '__rate_interval') return values.rateInterval;
      if (name === '__interval') return values.interval;
      if (name === '__range') return values.range;
      const options = values.variables[name as string];
      return options ? options.join('|') : whole;
    },
  );
}

export interface Rule {
  file: string;
  group: string;
  /** The alert name or recorded series name. */
  name: string;
  kind: 'alert' | 'record';
  expr: string;
}

export function ruleFiles(rulesDir: string): string[] {
  return readdirSync(rulesDir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => path.join(rulesDir, name));
}

export function rulesIn(file: string): Rule[] {
  const document: unknown = parseYaml(readFileSync(file, 'utf8'));
  return arrayOf(isObject(document) ? document['groups'] : undefined)
    .filter(isObject)
    .flatMap((group) =>
      arrayOf(group['rules'])
        .filter(isObject)
        .map((rule): Rule => ({
          file: path.basename(file),
          group: String(group['name']),
          name: String(rule['alert'] ?? rule['record']),
          kind: typeof rule['alert'] === 'string' ? 'alert' : 'record',
          expr: String(rule['expr']),
        })),
    );
}

/**
 * The text with everything inside string literals and label matchers (`{…}`) blanked out, same
 * length, so operators can be found by position without mistaking `!=` in `{code!="x"}` or a `>` in a
 * string for PromQL operators.
 */
function maskLiteralsAndMatchers(expr: string): string {
  let masked = '';
  let quote: string | undefined;
  let braces = 0;
  for (let i = 0; i < expr.length; i++) {
    const char = expr[i] ?? '';
    if (quote) {
      masked += ' ';
      if (char === '\\' && quote !== '`') {
        masked += ' ';
        i++;
      } else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'" || char === '`') {
      quote = char;
      masked += ' ';
    } else if (char === '{') {
      braces++;
      masked += char;
    } else if (char === '}') {
      braces = Math.max(0, braces - 1);
      masked += char;
    } else masked += braces > 0 ? ' ' : char;
  }
  return masked;
}

/**
 * What the test evaluates for an alert: its expression with every comparison against a number made a
 * `bool` comparison (`x > 10` → `x > bool 10`, which returns every series of `x`, valued 0 or 1,
 * instead of only those over the threshold), and every `unless` and `or` made an `and` (so both sides
 * must return series that match on the join labels). A healthy pipeline then still answers with
 * series, and the answer proves that the metrics the alert reads exist with the labels it filters,
 * groups and joins on. It does not prove that the thresholds are well chosen.
 *
 * Only comparisons with a literal number on the right are rewritten; the rules file says so.
 */
export function alertSignal(expr: string): string {
  const masked = maskLiteralsAndMatchers(expr);
  const edits: { at: number; remove: number; insert: string }[] = [];
  for (const match of masked.matchAll(/(==|!=|>=|<=|>|<)(\s*)(?!bool\b)(?=[-+]?(\d|\.\d|Inf|NaN))/g)) {
    edits.push({ at: (match.index ?? 0) + (match[1]?.length ?? 0), remove: 0, insert: ' bool' });
  }
  for (const match of masked.matchAll(/\b(unless|or)\b/g)) {
    edits.push({ at: match.index ?? 0, remove: match[0].length, insert: 'and' });
  }
  let result = expr;
  for (const edit of edits.sort((a, b) => b.at - a.at)) {
    result = result.slice(0, edit.at) + edit.insert + result.slice(edit.at + edit.remove);
  }
  return result;
}
