import { randomBytes } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

import { Topic } from '@newsflow/contracts';

import { eventually, freePort, requiredEnv, runId } from './support/environment';
import {
  type Query,
  alertSignal,
  dashboardFiles,
  panelQueries,
  ruleFiles,
  rulesIn,
  substituteGrafanaVariables,
  templateVariables,
  variableQueryAsPromQL,
} from './support/monitoring-as-code';
import {
  type PrometheusBinaries,
  PrometheusServer,
  prometheusBinaries,
  promtool,
} from './support/prometheus-server';
import { createApiKey } from './support/api-keys';
import { type ServiceName, ServiceProcess, repoRoot } from './support/service-process';
import { WebhookReceiver } from './support/webhook-receiver';

const SAMPLE = path.join(__dirname, 'fixtures', 'donbass-recognition-2022-02-22.txt');
const DEPLOY_CONFIG = path.join(repoRoot(), 'deploy', 'prometheus', 'prometheus.yml');
const RULES_DIR = path.join(repoRoot(), 'deploy', 'prometheus', 'rules');
const DASHBOARDS = dashboardFiles(path.join(repoRoot(), 'deploy', 'grafana', 'dashboards'));
const RULE_FILES = ruleFiles(RULES_DIR);
const SERVICES: readonly ServiceName[] = ['storage', 'notification', 'enrichment', 'ingestion'];
const ARTICLES = 4;
/** Seconds between scrapes and rule evaluations: short, so the test does not wait long for data. */
const SCRAPE_INTERVAL = 1;
/**
 * What Grafana's `$__rate_interval` stands for here. Grafana makes it at least four scrape intervals;
 * one minute covers the whole of the traffic below, so rates exist for every counter it touched.
 */
const RATE_INTERVAL = '1m';

interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  [key: string]: unknown;
}

/**
 * deploy/prometheus/prometheus.yml with the same jobs and labels, but targets on 127.0.0.1 at the
 * test's ports, short intervals and the rule files of deploy/ by their path here.
 */
async function testPrometheusConfig(
  ports: Map<ServiceName, number>,
  prometheusPort: number,
): Promise<string> {
  const deploy = parseYaml(await readFile(DEPLOY_CONFIG, 'utf8')) as { scrape_configs: ScrapeConfig[] };
  const scrapeConfigs = deploy.scrape_configs.map((job) => ({
    ...job,
    static_configs: (job.static_configs ?? []).map((group) => ({
      ...group,
      targets: group.targets.map((target) => {
        const service = group.labels?.['service'] as ServiceName | undefined;
        const port = service
          ? ports.get(service)
          : job.job_name === 'prometheus'
            ? prometheusPort
            : undefined;
        if (port === undefined)
          throw new Error(
            `deploy/prometheus/prometheus.yml: no test address for target ${target} of ${job.job_name}`,
          );
        return `127.0.0.1:${port}`;
      }),
    })),
  }));
  return stringifyYaml({
    global: {
      scrape_interval: `${SCRAPE_INTERVAL}s`,
      scrape_timeout: `${SCRAPE_INTERVAL}s`,
      evaluation_interval: `${SCRAPE_INTERVAL}s`,
    },
    rule_files: [path.join(RULES_DIR, '*.yml')],
    scrape_configs: scrapeConfigs,
  });
}

/** The test's copy of the sample article, with its own lede so that it is a different article. */
async function articleText(run: string, index: number): Promise<string> {
  const sample = await readFile(SAMPLE, 'utf8');
  return sample.replace(/^(\s*date \d{4}-\d{2}-\d{2} ).*$/m, `$1Observability test ${run} article ${index}`);
}

/**
 * The dashboards and alert rules of deploy/, evaluated against a real Prometheus that scrapes the four
 * services built from dist while articles, a rejected file, a poison message, a transient database
 * failure and a failing webhook receiver go through them. A query that does not parse, or that returns
 * no series, fails the test with its location.
 *
 * Alerts are evaluated as their "signal" (see alertSignal()): thresholds become `bool` comparisons and
 * `unless`/`or` become `and`, because a healthy pipeline must not fire them, yet the series they
 * watch must exist.
 */
describe('dashboards and alert rules against a real Prometheus', () => {
  const run = runId();
  const brokers = requiredEnv('KAFKA_BROKERS');
  const databaseUrl = new URL(requiredEnv('DATABASE_URL'));
  databaseUrl.pathname = `/newsflow_obs_${run}`;
  const receiver = new WebhookReceiver();
  const services = new Map<ServiceName, ServiceProcess>();
  const failingAttempts: string[] = [];
  let failingReceiver: Server | undefined;
  let binaries: PrometheusBinaries;
  let failingUrl: string;
  let workDir: string;
  let inbox: string;
  let configFile: string;
  let prometheus: PrometheusServer;
  let apiKey: string;

  const service = (name: ServiceName) => services.get(name) as ServiceProcess;
  const metricsOf = async (name: ServiceName) => (await fetch(`${service(name).baseUrl}/metrics`)).text();

  beforeAll(async () => {
    binaries = prometheusBinaries();
    workDir = await mkdtemp(path.join(tmpdir(), 'newsflow-observability-'));
    inbox = path.join(workDir, 'inbox');
    await mkdir(inbox);
    await receiver.start();
    failingReceiver = createServer((request, response) => {
      request.resume();
      failingAttempts.push(request.url ?? '');
      response.writeHead(500).end('receiver down');
    });
    await new Promise<void>((resolve) => failingReceiver?.listen(0, '127.0.0.1', resolve));
    const address = failingReceiver.address();
    failingUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks/down`;

    const ports = new Map<ServiceName, number>();
    for (const name of SERVICES) {
      const port = await freePort();
      ports.set(name, port);
      const process = new ServiceProcess(name, port, {
        KAFKA_BROKERS: brokers,
        DATABASE_URL: databaseUrl.toString(),
        INBOX_DIR: inbox,
        INBOX_STABLE_MS: '200',
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        // Own consumer groups from the end of the topics: the shared broker holds other suites' messages.
        KAFKA_GROUP_ID: `obs-${run}-${name}`,
        KAFKA_AUTO_OFFSET_RESET: 'latest',
        ...(name === 'notification'
          ? {
              NOTIFICATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
              // One retry a second after the first failure, then the delivery has failed for good.
              WEBHOOK_RETRY_SCHEDULE: '1',
            }
          : {}),
        // A statement waiting for a lock gives up after a second (SQLSTATE 55P03, a transient error
        // that the consumer retries), so the test can make storage retry by holding a table lock.
        ...(name === 'storage' ? { PGOPTIONS: '-c lock_timeout=1000' } : {}),
      });
      services.set(name, process);
      process.start();
    }
    await Promise.all([...services.values()].map((process) => process.waitUntilReady()));
    apiKey = await createApiKey(databaseUrl.toString(), 'observability-e2e');

    const prometheusPort = await freePort();
    configFile = path.join(workDir, 'prometheus.yml');
    await writeFile(configFile, await testPrometheusConfig(ports, prometheusPort));
    prometheus = new PrometheusServer(
      binaries,
      prometheusPort,
      configFile,
      path.join(workDir, 'prometheus-data'),
    );
    prometheus.start();
    await prometheus.waitUntilReady();
  }, 180_000);

  afterAll(async () => {
    await prometheus?.stop();
    await Promise.allSettled([...services.values()].map((process) => process.stop()));
    await receiver.stop();
    await new Promise<void>((resolve) =>
      failingReceiver ? failingReceiver.close(() => resolve()) : resolve(),
    );
    if (workDir) await rm(workDir, { recursive: true, force: true });
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "newsflow_obs_${run}" WITH (FORCE)`);
    await client.end();
  }, 60_000);

  it('promtool accepts deploy/prometheus: the compose configuration and every rule file', async () => {
    expect(RULE_FILES.length).toBeGreaterThan(0);
    await expect(promtool(binaries, ['check', 'config', DEPLOY_CONFIG])).resolves.toMatch(/SUCCESS/);
    const checked = await promtool(binaries, ['check', 'rules', ...RULE_FILES]);
    const rules = RULE_FILES.flatMap(rulesIn).length;
    expect(checked).toMatch(new RegExp(`SUCCESS: ${rules} rules found`));
  });

  it('promtool accepts the generated test configuration, which loads the same rules', async () => {
    const checked = await promtool(binaries, ['check', 'config', configFile]);
    expect(checked).toMatch(/SUCCESS: .*prometheus\.yml is valid prometheus config file syntax/);
    expect(checked).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('scrapes every service as job "newsflow" with its service label', async () => {
    const targets = await eventually('every target to be scraped successfully', async () => {
      const data = await prometheus.api<{
        activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
      }>('targets');
      const newsflow = data.activeTargets.filter((target) => target.labels['job'] === 'newsflow');
      return newsflow.length === SERVICES.length && newsflow.every((target) => target.health === 'up')
        ? newsflow
        : undefined;
    });
    expect(targets.map((target) => target.labels['service']).sort()).toEqual([...SERVICES].sort());
  });

  let trafficDoneAt = 0;

  it('drives articles, a transient storage failure, a rejected file, a poison message and a failing webhook through', async () => {
    const subscribe = async (name: string, webhookUrl: string) => {
      const response = await fetch(`${service('notification').baseUrl}/api/subscriptions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ name, webhookUrl, keywords: ['Vladimir Putin'] }),
      });
      expect(response.status).toBe(201);
    };
    await subscribe(`observability ${run}`, receiver.url);
    await subscribe(`observability ${run} down`, failingUrl);

    // A table lock makes storage's first write fail with a lock timeout (transient): it retries, and
    // succeeds once the lock is gone. That is how newsflow_retries_total gets its series.
    const locker = new Client({ connectionString: databaseUrl.toString() });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE storage.articles IN ACCESS EXCLUSIVE MODE');
      await writeFile(path.join(inbox, `article-0-${run}.txt`), await articleText(run, 0));
      await eventually(
        'storage to retry the write behind the lock',
        async () =>
          /^newsflow_retries_total\{[^}]*stage="storage"/m.test(await metricsOf('storage'))
            ? true
            : undefined,
        60_000,
      );
      await locker.query('ROLLBACK');
    } finally {
      await locker.end();
    }

    for (let index = 1; index < ARTICLES; index++) {
      await writeFile(path.join(inbox, `article-${index}-${run}.txt`), await articleText(run, index));
    }
    await writeFile(
      path.join(inbox, `not-an-article-${run}.txt`),
      'Hello, this is a shopping list.\n\nMilk\n',
    );
    const kafka = new Kafka({
      clientId: `obs-${run}`,
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: Topic.ArticleIngestedV1,
        messages: [{ key: `poison-${run}`, value: 'this is not JSON' }],
      });
    } finally {
      await producer.disconnect();
    }

    const stored = await eventually(
      `all ${ARTICLES} articles to be stored`,
      async () => {
        const response = await fetch(`${service('storage').baseUrl}/api/articles?limit=100`);
        const { items } = (await response.json()) as { items: { source: { key: string } }[] };
        const ours = items.filter((item) => item.source.key.endsWith(`-${run}.txt`));
        return ours.length === ARTICLES ? ours : undefined;
      },
      90_000,
    );
    expect(stored).toHaveLength(ARTICLES);
    await eventually('a webhook for every article', async () =>
      receiver.received.length >= ARTICLES ? true : undefined,
    );
    await eventually('the failing receiver to be given up on', async () =>
      /^newsflow_webhook_deliveries_total\{outcome="failed"\} [1-9]/m.test(await metricsOf('notification'))
        ? true
        : undefined,
    );
    expect(failingAttempts.length).toBeGreaterThanOrEqual(2);
    for (const name of ['enrichment', 'storage'] as const) {
      await eventually(`${name} to dead-letter the poison message`, async () =>
        /^newsflow_dead_letters_total\{/m.test(await metricsOf(name)) ? true : undefined,
      );
    }
    expect(await metricsOf('ingestion')).toMatch(
      /^newsflow_articles_total\{stage="ingestion",outcome="rejected"\} 1$/m,
    );
    // A group's lag covers its retry tiers too, where messages wait out their delays.
    for (const name of ['enrichment', 'storage', 'notification'] as const) {
      expect(await metricsOf(name)).toMatch(
        /^newsflow_consumer_lag_messages\{[^}]*topic="news\.retry\.[^"]+\.1"[^}]*\} \d+$/m,
      );
    }
    trafficDoneAt = Date.now() / 1000;
  }, 180_000);

  it('has scraped every service since then and evaluated every rule without an error', async () => {
    expect(trafficDoneAt).toBeGreaterThan(0);
    await eventually('a scrape of every service after the traffic', async () => {
      const result = await prometheus.query('min(timestamp(up{job="newsflow"} == 1))');
      const last = result.ok ? Number(result.series[0]?.value[1]) : 0;
      return last > trafficDoneAt + SCRAPE_INTERVAL ? true : undefined;
    });
    const ruleCount = RULE_FILES.flatMap(rulesIn).length;
    const rules = await eventually('every rule to be evaluated', async () => {
      const data = await prometheus.api<{
        groups: { rules: { name: string; health: string; lastError?: string }[] }[];
      }>('rules');
      const all = data.groups.flatMap((group) => group.rules);
      return all.length === ruleCount && all.every((rule) => rule.health !== 'unknown') ? all : undefined;
    });
    expect(
      rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError}`),
    ).toEqual([]);
  });

  /**
   * Evaluates the queries; the ones that fail or come back empty are tried again for a while (a
   * scrape that timed out under load leaves gauges stale until the next one), then reported.
   */
  async function problemsOf(queries: Query[]): Promise<string[]> {
    let pending = queries;
    const problems = new Map<Query, string>();
    const until = Date.now() + 20_000;
    for (;;) {
      problems.clear();
      for (const query of pending) {
        const result = await prometheus.query(query.expr);
        if (!result.ok) problems.set(query, `does not evaluate: ${result.error}`);
        else if (result.series.length === 0) problems.set(query, 'returns no series');
      }
      pending = [...problems.keys()];
      if (pending.length === 0 || Date.now() > until) break;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    return [...problems].map(([query, problem]) => `${query.where}: ${problem}\n    ${query.expr}`);
  }

  const serviceValues = () => [...SERVICES].sort();

  it.each(DASHBOARDS.map((file) => path.basename(file)))(
    'every panel and variable query of %s returns series',
    async (name) => {
      const file = DASHBOARDS.find((candidate) => path.basename(candidate) === name) ?? '';
      const variables = templateVariables(file);
      const values = Object.fromEntries(variables.map((variable) => [variable.name, serviceValues()]));
      for (const variable of variables) {
        // Every variable in our dashboards is a service picker; a new kind needs values here.
        expect({ variable: variable.name, query: variable.query }).toEqual({
          variable: variable.name,
          query: expect.stringMatching(/^label_values\(.*, service\)$/),
        });
      }
      const queries: Query[] = [
        ...variables.map((variable) => ({
          where: `${name} variable $${variable.name}`,
          expr: variableQueryAsPromQL(variable.query),
        })),
        ...panelQueries(file).map((query) => ({
          where: query.where,
          expr: substituteGrafanaVariables(query.expr, {
            rateInterval: RATE_INTERVAL,
            interval: `${SCRAPE_INTERVAL * 15}s`,
            range: '1h',
            variables: values,
          }),
        })),
      ];
      expect(queries.length).toBeGreaterThan(variables.length);
      expect(queries.filter((query) => /\$/.test(query.expr)).map((query) => query.where)).toEqual([]);
      expect(await problemsOf(queries)).toEqual([]);
    },
    60_000,
  );

  it('every alert (thresholds as bool, unless/or as and) and recording rule returns series', async () => {
    const rules = RULE_FILES.flatMap(rulesIn);
    const queries = rules.map((rule) => ({
      where: `${rule.file} ${rule.kind} ${rule.name}`,
      expr: rule.kind === 'alert' ? alertSignal(rule.expr) : rule.expr,
    }));
    expect(queries.length).toBeGreaterThan(0);
    expect(await problemsOf(queries)).toEqual([]);
  }, 60_000);

  it('rewrites alert thresholds without touching label matchers or strings', () => {
    expect(alertSignal('up{job="newsflow",code!="5xx"} == 0')).toBe(
      'up{job="newsflow",code!="5xx"} == bool 0',
    );
    expect(alertSignal('(a{x=">1"} > 0) unless on (service) (b > bool 0.25) or c < -1')).toBe(
      '(a{x=">1"} > bool 0) and on (service) (b > bool 0.25) and c < bool -1',
    );
  });
});
