/**
 * A structural check of PromQL as it appears in dashboards and rule files, without a Prometheus
 * binary: tokens, balanced brackets, closed strings, range selectors holding a duration, known
 * functions, metric names from a known list, and Grafana variables that exist. It is not a full
 * parser (argument counts and operand types are left to Prometheus, which the end-to-end test in
 * apps/pipeline-e2e runs), but it catches typos in metric and function names and broken brackets
 * in a unit test.
 */

export type TokenKind = 'string' | 'number' | 'duration' | 'identifier' | 'variable' | 'punct' | 'operator';

export interface Token {
  kind: TokenKind;
  text: string;
  at: number;
}

const DURATION = /^(\d+(ms|s|m|h|d|w|y))+/;
const NUMBER = /^(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|Inf\b|NaN\b)/;
/** Metric names may hold colons (recording rules: `level:metric:operations`), but not start with one. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_:]*/;
/** `$name`, `${name}`, `${name:format}`, `[[name]]` is Grafana's old form and is not accepted. */
const VARIABLE = /^\$(\{[A-Za-z_][A-Za-z0-9_]*(:[a-z]+)?\}|[A-Za-z_][A-Za-z0-9_]*)/;
const OPERATOR = /^(==|!=|>=|<=|=~|!~|[-+*/%^<>=@:])/;

/** Splits an expression into tokens; throws with the position of anything that is not PromQL. */
export function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < expr.length) {
    const rest = expr.slice(at);
    const char = rest[0] ?? '';
    if (/\s/.test(char)) {
      at++;
      continue;
    }
    if (char === '#') {
      const end = rest.indexOf('\n');
      at += end < 0 ? rest.length : end;
      continue;
    }
    if (char === '"' || char === "'" || char === '`') {
      let end = 1;
      while (end < rest.length && rest[end] !== char) end += rest[end] === '\\' && char !== '`' ? 2 : 1;
      if (end >= rest.length) throw new Error(`unterminated string starting at ${at}`);
      tokens.push({ kind: 'string', text: rest.slice(0, end + 1), at });
      at += end + 1;
      continue;
    }
    const match = (kind: TokenKind, pattern: RegExp) => {
      const found = pattern.exec(rest)?.[0];
      if (found === undefined) return false;
      tokens.push({ kind, text: found, at });
      at += found.length;
      return true;
    };
    if ('(){}[],'.includes(char)) {
      tokens.push({ kind: 'punct', text: char, at });
      at++;
      continue;
    }
    if (
      match('duration', DURATION) ||
      match('number', NUMBER) ||
      match('identifier', IDENTIFIER) ||
      match('variable', VARIABLE) ||
      match('operator', OPERATOR)
    )
      continue;
    throw new Error(`unexpected "${char}" at ${at}`);
  }
  return tokens;
}

const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
]);

const FUNCTIONS = new Set([
  ...AGGREGATIONS,
  ...['avg', 'min', 'max', 'sum', 'count', 'quantile', 'stddev', 'stdvar', 'last', 'present', 'mad'].map(
    (name) => `${name}_over_time`,
  ),
  ...'abs absent absent_over_time ceil changes clamp clamp_max clamp_min day_of_month day_of_week day_of_year days_in_month delta deriv exp floor histogram_count histogram_fraction histogram_quantile histogram_stddev histogram_stdvar histogram_sum holt_winters hour idelta increase irate label_join label_replace ln log2 log10 minute month predict_linear rate resets round scalar sgn sort sort_desc sqrt time timestamp vector year acos acosh asin asinh atan atanh cos cosh sin sinh tan tanh deg rad pi'.split(
    ' ',
  ),
]);

/** Words that take a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const OTHER_KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'start', 'end']);

export interface PromQLContext {
  /** Metric names a selector may use (histograms with their _bucket, _sum and _count). */
  knownMetrics: ReadonlySet<string>;
  /** Grafana variables that may appear (built-ins such as __rate_interval included). */
  variables: ReadonlySet<string>;
}

function variableName(text: string): string {
  return text.replace(/^\$\{?/, '').replace(/(:[a-z]+)?\}$/, '');
}

/** Problems found in one expression; empty when it passes. */
export function checkPromQL(expr: string, context: PromQLContext): string[] {
  if (expr.trim() === '') return ['empty expression'];
  let tokens: Token[];
  try {
    tokens = tokenize(expr);
  } catch (error) {
    return [(error as Error).message];
  }
  const problems: string[] = [];
  const open: Token[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    const next = tokens[i + 1];
    const inside = open[open.length - 1]?.text;
    if (token.kind === 'punct' && '([{'.includes(token.text)) {
      open.push(token);
      continue;
    }
    if (token.kind === 'punct' && ')]}'.includes(token.text)) {
      const opener = open.pop();
      if (opener?.text !== pairs[token.text]) problems.push(`unbalanced "${token.text}" at ${token.at}`);
      continue;
    }
    if (token.kind === 'variable') {
      const name = variableName(token.text);
      if (!context.variables.has(name)) problems.push(`unknown variable $${name} at ${token.at}`);
      continue;
    }
    if (inside === '[') {
      // A range or subquery: `[5m]`, `[$__rate_interval]`, `[10m:1m]`.
      if (!(token.kind === 'duration' || token.text === ':'))
        problems.push(`"${token.text}" at ${token.at} is not a duration in a range selector`);
      continue;
    }
    if (inside === '{' || token.kind !== 'identifier') continue; // label matchers, numbers, operators
    const word = token.text;
    if (LABEL_LIST_KEYWORDS.has(word)) {
      // Skip the label names: `by (le, stage)`. group_left may also stand without a list.
      if (next?.text === '(') {
        const close = tokens.findIndex((candidate, index) => index > i && candidate.text === ')');
        if (close < 0) problems.push(`unclosed label list after ${word} at ${token.at}`);
        else i = close;
      } else if (word !== 'group_left' && word !== 'group_right') {
        problems.push(`"${word}" at ${token.at} needs a list of labels in parentheses`);
      }
      continue;
    }
    if (OTHER_KEYWORDS.has(word)) continue;
    // `sum by (le) (…)`: the aggregation's label list comes before its argument.
    if (AGGREGATIONS.has(word) && (next?.text === 'by' || next?.text === 'without')) continue;
    if (next?.text === '(') {
      if (!FUNCTIONS.has(word)) problems.push(`unknown function ${word}() at ${token.at}`);
      continue;
    }
    if (!context.knownMetrics.has(word)) problems.push(`unknown metric ${word} at ${token.at}`);
  }
  for (const opener of open) problems.push(`unclosed "${opener.text}" at ${opener.at}`);
  return problems;
}

/**
 * The comparison operators of an expression outside label matchers, each with what follows it, for
 * checking that alert thresholds are plain numbers.
 */
export function comparisons(expr: string): { operator: string; operand: string }[] {
  const tokens = tokenize(expr);
  const found: { operator: string; operand: string }[] = [];
  let braces = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as Token;
    if (token.text === '{') braces++;
    else if (token.text === '}') braces--;
    else if (braces === 0 && token.kind === 'operator' && /^(==|!=|>=|<=|>|<)$/.test(token.text)) {
      let operand = tokens[i + 1];
      if (operand?.text === 'bool') operand = tokens[i + 2];
      // A sign belongs to the number: `> -1`.
      const sign = operand && /^[-+]$/.test(operand.text) ? operand.text : '';
      if (sign) operand = tokens[i + (tokens[i + 1]?.text === 'bool' ? 3 : 2)];
      found.push({ operator: token.text, operand: `${sign}${operand?.text ?? ''}` });
    }
  }
  return found;
}
