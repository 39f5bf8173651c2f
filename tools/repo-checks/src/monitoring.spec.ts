/**
 * The dashboards and alert rules in deploy/, checked for structure without Grafana or Prometheus:
 * valid JSON and YAML, unique ids, a layout without overlaps, queries whose brackets, functions,
 * metric names and variables are right, and alerts with a duration, a severity and annotations.
 * apps/pipeline-e2e/src/observability.e2e-spec.ts then runs every query against a real Prometheus.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics } from 'prom-client';

import { isRecord, parseYaml } from './lib/compose';
import { checkPromQL, comparisons } from './lib/promql';
import { findRepoRoot } from './lib/repo-root';

const repoRoot = findRepoRoot(__dirname);
const dashboardsDir = join(repoRoot, 'deploy/grafana/dashboards');
const rulesDir = join(repoRoot, 'deploy/prometheus/rules');

/**
 * The Newsflow metrics the dashboards and alerts may use: the names the services expose (the metrics
 * in libs/observability, libs/service-kit and the services' own), by type, since a histogram is
 * queried through its _bucket, _sum and _count series. A name here that no service exposes fails
 * the end-to-end test; a name missing here fails this one.
 */
const NEWSFLOW_METRICS = {
  counter: [
    'newsflow_articles_total',
    'newsflow_dead_letters_total',
    'newsflow_retries_total',
    'newsflow_webhook_deliveries_total',
    'newsflow_webhook_subscriptions_disabled_total',
  ],
  gauge: [
    'newsflow_webhook_deliveries_queued',
    'newsflow_ingest_backlog_objects',
    'newsflow_subscriptions_indexed',
    'newsflow_consumer_lag_messages',
    'newsflow_consumer_lag_seconds',
    'newsflow_db_pool_connections',
    'newsflow_http_requests_in_flight',
  ],
  histogram: [
    'newsflow_stage_duration_seconds',
    'newsflow_consumer_batch_size',
    'newsflow_webhook_delivery_duration_seconds',
    'newsflow_end_to_end_latency_seconds',
    'newsflow_http_request_duration_seconds',
  ],
};

const seriesNames = (name: string, type: string) =>
  type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];

/** prom-client's default metrics (what every service exposes beside its own), plus Prometheus' `up`. */
async function knownMetrics(): Promise<Set<string>> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const defaults = await registry.getMetricsAsJSON();
  return new Set([
    'up',
    ...defaults.flatMap((metric) => seriesNames(metric.name, String(metric.type))),
    ...Object.entries(NEWSFLOW_METRICS).flatMap(([type, names]) =>
      names.flatMap((name) => seriesNames(name, type)),
    ),
  ]);
}

/** Grafana's built-in variables that our queries may use. */
const BUILT_IN_VARIABLES = ['__rate_interval', '__interval', '__range'];

type Json = Record<string, unknown>;
const arrayOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

interface Panel {
  panel: Json;
  /** Inside a collapsed row: laid out when the row opens, so not part of the top-level grid. */
  nested: boolean;
}

function panelsOf(dashboard: Json): Panel[] {
  return arrayOf(dashboard['panels'])
    .filter(isRecord)
    .flatMap((panel) => [
      { panel, nested: false },
      ...arrayOf(panel['panels'])
        .filter(isRecord)
        .map((inner) => ({ panel: inner, nested: true })),
    ]);
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

function gridPosOf(panel: Json): Box | undefined {
  const pos = panel['gridPos'];
  if (!isRecord(pos)) return undefined;
  const [x, y, w, h] = ['x', 'y', 'w', 'h'].map((key) => pos[key]);
  return [x, y, w, h].every((value) => Number.isInteger(value))
    ? { x: x as number, y: y as number, w: w as number, h: h as number }
    : undefined;
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

const dashboardFiles = readdirSync(dashboardsDir)
  .filter((name) => name.endsWith('.json'))
  .sort();
const dashboards = new Map(
  dashboardFiles.map((file) => [
    file,
    JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as unknown,
  ]),
);

describe('Grafana dashboards (deploy/grafana/dashboards)', () => {
  it('are the pipeline overview, the per-service detail and the notification deliveries', () => {
    expect(dashboardFiles).toEqual(
      expect.arrayContaining([
        'pipeline-overview.json',
        'service-detail.json',
        'notification-deliveries.json',
      ]),
    );
  });

  it('have distinct uids and titles', () => {
    const dashboardObjects = [...dashboards.values()].filter(isRecord);
    expect(dashboardObjects).toHaveLength(dashboardFiles.length);
    const uids = dashboardObjects.map((dashboard) => dashboard['uid']);
    const titles = dashboardObjects.map((dashboard) => dashboard['title']);
    for (const value of [...uids, ...titles])
      expect(typeof value === 'string' && value.length > 0).toBe(true);
    expect(new Set(uids).size).toBe(uids.length);
    expect(new Set(titles).size).toBe(titles.length);
  });

  describe.each(dashboardFiles)('%s', (file) => {
    const dashboard = dashboards.get(file);
    const json = isRecord(dashboard) ? dashboard : {};
    const panels = panelsOf(json);
    const queryPanels = panels.filter(({ panel }) => panel['type'] !== 'row');
    const where = (panel: Json) => `panel ${String(panel['id'])} "${String(panel['title'])}"`;

    it('is a dashboard object with a schema version and panels', () => {
      expect(isRecord(dashboard)).toBe(true);
      expect(typeof json['schemaVersion']).toBe('number');
      expect(queryPanels.length).toBeGreaterThan(0);
    });

    it('gives every panel a unique positive integer id, a title and a description', () => {
      const ids = panels.map(({ panel }) => panel['id']);
      expect(ids.filter((id) => !(Number.isInteger(id) && (id as number) > 0))).toEqual([]);
      expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
      for (const { panel } of panels)
        expect(typeof panel['title'] === 'string' && panel['title'] !== '').toBe(true);
      expect(
        queryPanels
          .filter(({ panel }) => typeof panel['description'] !== 'string' || panel['description'] === '')
          .map(({ panel }) => where(panel)),
      ).toEqual([]);
    });

    it('lays its panels out on the 24-column grid without overlaps', () => {
      const problems: string[] = [];
      const placed: { panel: Json; box: Box }[] = [];
      for (const { panel, nested } of panels) {
        const box = gridPosOf(panel);
        if (!box) {
          problems.push(`${where(panel)}: gridPos needs integer x, y, w, h`);
          continue;
        }
        if (box.x < 0 || box.y < 0 || box.w < 1 || box.h < 1 || box.x + box.w > 24)
          problems.push(`${where(panel)}: gridPos ${JSON.stringify(box)} is off the 24-column grid`);
        if (nested) continue;
        for (const other of placed)
          if (overlaps(box, other.box)) problems.push(`${where(panel)} overlaps ${where(other.panel)}`);
        placed.push({ panel, box });
      }
      expect(problems).toEqual([]);
    });

    it('gives every panel targets with distinct refIds and PromQL that checks out', async () => {
      const metrics = await knownMetrics();
      const variables = new Set([
        ...BUILT_IN_VARIABLES,
        ...arrayOf(isRecord(json['templating']) ? json['templating']['list'] : undefined)
          .filter(isRecord)
          .map((variable) => String(variable['name'])),
      ]);
      const problems: string[] = [];
      for (const { panel } of queryPanels) {
        const targets = arrayOf(panel['targets']).filter(isRecord);
        if (targets.length === 0) problems.push(`${where(panel)}: no targets`);
        const refIds = targets.map((target) => target['refId']);
        if (new Set(refIds).size !== refIds.length)
          problems.push(`${where(panel)}: refIds repeat: ${refIds.join(', ')}`);
        for (const target of targets) {
          const expr = typeof target['expr'] === 'string' ? target['expr'] : '';
          for (const problem of checkPromQL(expr, { knownMetrics: metrics, variables }))
            problems.push(`${where(panel)} target ${String(target['refId'])}: ${problem} in ${expr}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('has variables whose queries check out', async () => {
      const metrics = await knownMetrics();
      const problems: string[] = [];
      for (const variable of arrayOf(
        isRecord(json['templating']) ? json['templating']['list'] : undefined,
      ).filter(isRecord)) {
        const query = String(isRecord(variable['query']) ? variable['query']['query'] : variable['query']);
        const selector = /^label_values\((.+),\s*[A-Za-z_][A-Za-z0-9_]*\)$/.exec(query)?.[1];
        if (variable['type'] !== 'query' || selector === undefined) {
          problems.push(`$${String(variable['name'])}: expected a label_values(<selector>, <label>) query`);
          continue;
        }
        for (const problem of checkPromQL(selector, { knownMetrics: metrics, variables: new Set() }))
          problems.push(`$${String(variable['name'])}: ${problem}`);
      }
      expect(problems).toEqual([]);
    });
  });

  it('show every Newsflow metric somewhere', () => {
    const allExprs = [...dashboards.values()]
      .filter(isRecord)
      .flatMap(panelsOf)
      .flatMap(({ panel }) => arrayOf(panel['targets']).filter(isRecord))
      .map((target) => String(target['expr']))
      .join('\n');
    const unused = Object.values(NEWSFLOW_METRICS)
      .flat()
      .filter((name) => !new RegExp(`\\b${name}(_bucket|_sum|_count)?\\b`).test(allExprs));
    expect(unused).toEqual([]);
  });
});

interface Rule {
  where: string;
  rule: Json;
}

function rulesOf(file: string): { groups: string[]; rules: Rule[]; problems: string[] } {
  const { data, problems } = parseYaml(readFileSync(join(rulesDir, file), 'utf8'));
  const groups = arrayOf(isRecord(data) ? data['groups'] : undefined).filter(isRecord);
  return {
    groups: groups.map((group) => String(group['name'])),
    rules: groups.flatMap((group) =>
      arrayOf(group['rules'])
        .filter(isRecord)
        .map((rule) => ({
          where: `${file} ${String(group['name'])}/${String(rule['alert'] ?? rule['record'])}`,
          rule,
        })),
    ),
    problems,
  };
}

const ruleFiles = readdirSync(rulesDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

describe('Prometheus rules (deploy/prometheus/rules)', () => {
  const all = ruleFiles.map(rulesOf);
  const rules = all.flatMap((file) => file.rules);
  const alerts = rules.filter(({ rule }) => typeof rule['alert'] === 'string');

  it('parse, and group names are unique', () => {
    expect(all.flatMap((file) => file.problems)).toEqual([]);
    const groups = all.flatMap((file) => file.groups);
    expect(groups.length).toBeGreaterThan(0);
    expect(new Set(groups).size).toBe(groups.length);
  });

  it('alert on what an operator must know', () => {
    expect(alerts.map(({ rule }) => rule['alert'])).toEqual(
      expect.arrayContaining([
        'NewsflowServiceDown',
        'NewsflowConsumerLagHigh',
        'NewsflowConsumerLagGrowing',
        'NewsflowDeadLettersGrowing',
        'NewsflowIngestionStalled',
        'NewsflowWebhookFailureRatioHigh',
        'NewsflowEndToEndLatencyHigh',
      ]),
    );
    const names = alerts.map(({ rule }) => rule['alert']);
    expect(new Set(names).size).toBe(names.length);
  });

  it.each(ruleFiles)(
    '%s: every alert has a for: duration, a severity and summary, description and runbook',
    (file) => {
      const problems: string[] = [];
      for (const { where, rule } of rulesOf(file).rules.filter(
        ({ rule }) => typeof rule['alert'] === 'string',
      )) {
        if (typeof rule['for'] !== 'string' || !/^(\d+(ms|s|m|h|d|w|y))+$/.test(rule['for']))
          problems.push(`${where}: for: must be a duration`);
        const labels = isRecord(rule['labels']) ? rule['labels'] : {};
        if (!['critical', 'warning'].includes(String(labels['severity'])))
          problems.push(`${where}: labels.severity must be critical or warning`);
        const annotations = isRecord(rule['annotations']) ? rule['annotations'] : {};
        for (const key of ['summary', 'description', 'runbook'])
          if (typeof annotations[key] !== 'string' || (annotations[key] as string).trim() === '')
            problems.push(`${where}: annotations.${key} is missing`);
      }
      expect(problems).toEqual([]);
    },
  );

  it('have PromQL that checks out, with plain numbers as alert thresholds', async () => {
    const metrics = await knownMetrics();
    const problems: string[] = [];
    for (const { where, rule } of rules) {
      const expr = typeof rule['expr'] === 'string' ? rule['expr'] : '';
      const exprProblems = checkPromQL(expr, { knownMetrics: metrics, variables: new Set() });
      problems.push(...exprProblems.map((problem) => `${where}: ${problem}`));
      if (typeof rule['alert'] !== 'string' || exprProblems.length > 0) continue;
      // The end-to-end test turns `x > 10` into `x > bool 10` to see the series of a quiet alert.
      for (const { operator, operand } of comparisons(expr))
        if (!/^[-+]?(\d|\.\d)/.test(operand))
          problems.push(`${where}: compare with a number, not "${operator} ${operand}"`);
    }
    expect(problems).toEqual([]);
  });
});
