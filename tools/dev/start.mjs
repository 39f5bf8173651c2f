#!/usr/bin/env node
// @ts-check
/**
 * `npm start`: the whole Newsflow pipeline on this machine, without Docker.
 *
 *  1. `npm ci` when node_modules is missing or out of date.
 *  2. Kafka: $KAFKA_BROKERS when set; otherwise a broker already listening on 127.0.0.1:9092 (e.g.
 *     `npm run kafka -- start` in another terminal); otherwise starts one on 9092 (controller 9093)
 *     with its data in .cache/kafka/data, kept between runs (log: .cache/kafka/broker.log).
 *  3. Builds the four services with Nx (cached) while the broker boots.
 *  4. Starts ingestion, enrichment, storage and notification with human-readable logs, waits until
 *     every /health answers 200 (at most 120 s) and prints where everything is, with an API key for
 *     the notification API. The key and notification's encryption key (for signing secrets at rest)
 *     are generated on the first run and kept in .cache/dev/.
 *
 * Ctrl-C stops the services, then the broker if this script started it, and exits 0. When a service
 * dies on its own, everything is stopped and the exit code is 1.
 *
 * Options:   --skip-build   start from dist/ as it is (after building yourself)
 * Environment passed to the services: KAFKA_BROKERS, DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/newsflow), LOG_LEVEL.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureDatabase, redactUrl } from './lib/database.mjs';
import { ensureNodeModules } from './lib/install.mjs';
import {
  DEV_BROKER,
  describeBrokerStartup,
  ensureKafkaJars,
  isReachable,
  logExcerpt,
  probeKafka,
  startBroker,
} from './lib/kafka-broker.mjs';
import {
  describeExit,
  isShuttingDown,
  onShutdownSignal,
  runInherited,
  spawnPrefixed,
  stopAll,
} from './lib/processes.mjs';
import {
  REPO_ROOT,
  errorMessage,
  fail,
  formatDuration,
  localBin,
  note,
  ok,
  paint,
  rel,
  sleep,
  step,
} from './lib/util.mjs';

const HOST = '127.0.0.1';
const HEALTH_TIMEOUT_MS = 120_000;
const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/newsflow';

/** @type {Array<{ name: string, port: number }>} in start order; stopped in reverse */
const SERVICES = [
  { name: 'ingestion', port: 3000 },
  { name: 'enrichment', port: 3001 },
  { name: 'storage', port: 3002 },
  { name: 'notification', port: 3003 },
];

const USAGE = `Usage: npm start [-- --skip-build]

Starts Kafka (unless one runs or KAFKA_BROKERS is set), builds and starts the four Newsflow services.
  --skip-build   start from dist/ as it is
  --help         this text`;

/** @param {string[]} argv */
function parseArgs(argv) {
  const options = { skipBuild: false };
  for (const arg of argv) {
    if (arg === '--skip-build') options.skipBuild = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`Unknown option ${arg}\n\n${USAGE}\n`);
      process.exit(2);
    }
  }
  return options;
}

/**
 * Ends the script because something broke after startup began: stops everything, exit code 1.
 * @param {string} message
 */
function fatal(message) {
  if (isShuttingDown()) return;
  fail(message);
  void stopAll().then(() => process.exit(1));
}

/**
 * GET http://127.0.0.1:<port><path>: the status and the start of the body, or the connection error.
 * @param {number} port
 * @param {string} urlPath
 * @param {Record<string, string>} [headers]
 * @returns {Promise<{ status: number, body: string } | { error: string }>}
 */
function httpGet(port, urlPath, headers = {}) {
  return new Promise((resolve) => {
    const request = http.get({ host: HOST, port, path: urlPath, headers, timeout: 2000 }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        if (body.length < 400) body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: body.trim().slice(0, 400) }),
      );
      response.on('error', (error) => resolve({ error: error.message }));
    });
    request.on('timeout', () => request.destroy(new Error('no answer within 2 s')));
    request.on('error', (error) =>
      resolve({ error: /** @type {NodeJS.ErrnoException} */ (error).code ?? error.message }),
    );
  });
}

/**
 * Resolves the Kafka bootstrap servers, starting the dev broker when needed. Returns how to stop what
 * was started (nothing when an existing broker is used).
 * @returns {Promise<{ brokers: string, description: string, start?: () => Promise<import('./lib/kafka-broker.mjs').BrokerHandle> }>}
 */
async function resolveKafka() {
  const fromEnv = process.env.KAFKA_BROKERS?.trim();
  if (fromEnv) return { brokers: fromEnv, description: `${fromEnv} (from KAFKA_BROKERS)` };

  const { port, controllerPort, dataDir, logFile, pidFile } = DEV_BROKER;
  if (await isReachable(HOST, port)) {
    try {
      await probeKafka(HOST, port, 3000);
    } catch (error) {
      throw new Error(
        `Something listens on ${HOST}:${port} but does not answer as a Kafka broker (${errorMessage(error)}). ` +
          'Free the port, or set KAFKA_BROKERS to your broker.',
      );
    }
    return {
      brokers: `${HOST}:${port}`,
      description: `${HOST}:${port} (already running; left running on exit)`,
    };
  }

  const jars = await ensureKafkaJars();
  return {
    brokers: `${HOST}:${port}`,
    description: `${HOST}:${port} (Kafka ${jars.version}, started here; log ${rel(logFile)})`,
    start: () =>
      startBroker({
        dataDir,
        port,
        controllerPort,
        logFile,
        pidFile,
        jars,
        onUnexpectedExit: (info) =>
          fatal(
            `Kafka broker exited unexpectedly (${describeExit(info)}). From ${rel(logFile)}:\n${logExcerpt(logFile, 20)}`,
          ),
      }),
  };
}

const DEV_SECRETS_DIR = path.join(REPO_ROOT, '.cache', 'dev');

/**
 * A development secret kept in .cache/dev/<name> (readable by this user only): read it, or create it
 * with `generate` on the first run. Never a constant in the repository.
 * @param {string} name
 * @param {() => string} generate
 */
function devSecret(name, generate) {
  const file = path.join(DEV_SECRETS_DIR, name);
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(DEV_SECRETS_DIR, { recursive: true, mode: 0o700 });
  const value = generate();
  fs.writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

/**
 * The development API key of the notification API: the one in .cache/dev/ while the service accepts
 * it; otherwise (first run, or a database made anew) a new one from the built `api-key` CLI.
 * @param {string} databaseUrl
 * @returns {Promise<string>}
 */
async function ensureDevApiKey(databaseUrl) {
  const file = path.join(DEV_SECRETS_DIR, 'notification-api-key');
  if (fs.existsSync(file)) {
    const key = fs.readFileSync(file, 'utf8').trim();
    const answer = await httpGet(3003, '/api/subscriptions', { authorization: `Bearer ${key}` });
    if ('status' in answer && answer.status === 200) return key;
  }
  const cli = path.join(
    REPO_ROOT,
    'dist/apps/notification/apps/notification/src/app/api-keys/api-key.cli.js',
  );
  const key = await new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [cli, 'create', '--name', 'npm start (development)'],
      { env: { ...process.env, DATABASE_URL: databaseUrl } },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`api-key create failed: ${stderr || error.message}`))
          : resolve(stdout.trim()),
    ),
  );
  fs.mkdirSync(DEV_SECRETS_DIR, { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/** @param {string} name */
function entryOf(name) {
  return path.join(REPO_ROOT, 'dist', 'apps', name, 'apps', name, 'src', 'main.js');
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  process.chdir(REPO_ROOT);
  onShutdownSignal(() => 0);

  await ensureNodeModules();

  const busy = [];
  for (const service of SERVICES) {
    if (await isReachable(HOST, service.port, 500)) busy.push(`${service.port} (${service.name})`);
  }
  if (busy.length > 0) {
    throw new Error(
      `Port ${busy.join(', ')} on ${HOST} is already in use. Is another \`npm start\` running? ` +
        'Stop it (or whatever holds the port) first.',
    );
  }

  const databaseUrl = process.env.DATABASE_URL?.trim() || DEFAULT_DATABASE_URL;
  const db = new URL(databaseUrl);
  const dbHost = db.hostname || HOST;
  const dbPort = Number(db.port || 5432);
  if (!(await isReachable(dbHost, dbPort))) {
    throw new Error(
      `Postgres is not reachable at ${dbHost}:${dbPort} (DATABASE_URL ${redactUrl(databaseUrl)}). ` +
        'Start it (e.g. `sudo service postgresql start`) or point DATABASE_URL at a running server.',
    );
  }

  const kafka = await resolveKafka();
  if (!kafka.start) ok(`Using Kafka at ${kafka.description}`);
  else step(`Starting Kafka on ${kafka.brokers} (data in ${rel(DEV_BROKER.dataDir)})`);

  const build = options.skipBuild
    ? Promise.resolve({ code: 0, signal: null })
    : (step('Building the services (Nx, cached)'),
      runInherited(localBin('nx'), [
        'run-many',
        '-t',
        'build',
        `--projects=${SERVICES.map((service) => service.name).join(',')}`,
        '--outputStyle=static',
      ]));
  const [brokerResult, buildResult, databaseResult] = await Promise.allSettled([
    kafka.start ? kafka.start() : Promise.resolve(undefined),
    build,
    ensureDatabase(databaseUrl),
  ]);
  if (brokerResult.status === 'rejected') throw brokerResult.reason;
  if (brokerResult.value) {
    const broker = brokerResult.value;
    ok(`Kafka ready on ${broker.bootstrap} (${describeBrokerStartup(broker)})`);
  }
  if (buildResult.status === 'rejected') throw buildResult.reason;
  if (buildResult.value.code !== 0)
    throw new Error(`The build failed (${describeExit(buildResult.value)}); see above.`);
  if (databaseResult.status === 'rejected') {
    note(
      `Could not create the database up front (${errorMessage(databaseResult.reason)}); the services will try.`,
    );
  }
  const missing = SERVICES.map((service) => entryOf(service.name)).filter((entry) => !fs.existsSync(entry));
  if (missing.length > 0) throw new Error(`Not built: ${missing.map(rel).join(', ')}`);

  fs.mkdirSync(path.join(REPO_ROOT, 'data', 'inbox'), { recursive: true });

  // Signing secrets are encrypted at rest; a development key of this checkout unless one is given.
  const encryptionKey =
    process.env.NOTIFICATION_ENCRYPTION_KEY?.trim() ||
    devSecret('notification-encryption-key', () => randomBytes(32).toString('base64'));

  const width = Math.max(...SERVICES.map((service) => service.name.length));
  const colorEnv = process.stdout.isTTY && !('NO_COLOR' in process.env) ? { FORCE_COLOR: '1' } : {};
  step(`Starting ${SERVICES.map((service) => service.name).join(', ')}`);
  const servicesStarted = performance.now();
  for (const service of SERVICES) {
    spawnPrefixed(service.name, process.execPath, [entryOf(service.name)], {
      prefixWidth: width,
      env: {
        ...process.env,
        ...colorEnv,
        PORT: String(service.port),
        KAFKA_BROKERS: kafka.brokers,
        DATABASE_URL: databaseUrl,
        LOG_FORMAT: 'pretty',
        INBOX_DIR: 'data/inbox',
        PUBLIC_API_URL: 'http://127.0.0.1:3002',
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        ...(service.name === 'notification' ? { NOTIFICATION_ENCRYPTION_KEY: encryptionKey } : {}),
      },
      onUnexpectedExit: (info) =>
        fatal(`${service.name} exited unexpectedly (${describeExit(info)}); stopping everything.`),
    });
  }

  /** @type {Map<string, string>} service name → why it is not ready yet */
  const pending = new Map(SERVICES.map((service) => [service.name, 'not answering yet']));
  let nextProgress = servicesStarted + 20_000;
  while (pending.size > 0 && !isShuttingDown()) {
    if (performance.now() > nextProgress) {
      nextProgress += 20_000;
      note(`still waiting for ${[...pending].map(([name, why]) => `${name} (${why})`).join(', ')}`);
    }
    if (performance.now() - servicesStarted > HEALTH_TIMEOUT_MS) {
      const lines = [...pending].map(([name, why]) => `  ${name.padEnd(width)}  ${why}`);
      throw new Error(`Not ready after ${formatDuration(HEALTH_TIMEOUT_MS)}:\n${lines.join('\n')}`);
    }
    await Promise.all(
      SERVICES.filter((service) => pending.has(service.name)).map(async (service) => {
        const result = await httpGet(service.port, '/health');
        if ('status' in result && result.status === 200) {
          pending.delete(service.name);
          ok(`${service.name} is healthy (${formatDuration(performance.now() - servicesStarted)})`);
        } else {
          pending.set(
            service.name,
            'error' in result
              ? `GET /health: ${result.error}`
              : `GET /health → ${result.status} ${result.body}`,
          );
        }
      }),
    );
    if (pending.size > 0) await sleep(500);
  }
  if (isShuttingDown()) return;

  const docs = [];
  for (const service of SERVICES) {
    const result = await httpGet(service.port, '/api/docs');
    if ('status' in result && result.status < 400)
      docs.push(`http://${HOST}:${service.port}/api/docs (${service.name})`);
  }
  const apiKey = await ensureDevApiKey(databaseUrl);
  printBanner({ readyMs: performance.now(), kafka: kafka.description, databaseUrl, docs, width, apiKey });
}

/**
 * @param {{ readyMs: number, kafka: string, databaseUrl: string, docs: string[], width: number, apiKey: string }} info
 */
function printBanner({ readyMs, kafka, databaseUrl, docs, width, apiKey }) {
  const b = (/** @type {string} */ text) => paint('bold', text);
  const u = (/** @type {string} */ text) => paint('cyan', text);
  const rule = paint('green', '─'.repeat(78));
  const lines = [
    '',
    rule,
    `  ${b(`Newsflow is running`)} — ready in ${formatDuration(readyMs)}`,
    '',
    `  ${b('Drop article files into ./data/inbox')} and follow them through the logs above.`,
    '',
    `  Articles API   ${u('http://127.0.0.1:3002/api/articles')}`,
    ...(docs.length > 0
      ? docs.map((doc, index) => `  ${index === 0 ? 'API docs      ' : '              '} ${u(doc)}`)
      : [`  API docs       ${u('http://127.0.0.1:3002/api/docs')}`]),
    '',
    ...SERVICES.map(
      (service) =>
        `  ${service.name.padEnd(Math.max(width, 12))}  ${u(`http://${HOST}:${service.port}/health`)}   ${u(`http://${HOST}:${service.port}/metrics`)}`,
    ),
    '',
    `  Kafka          ${kafka}`,
    `  Postgres       ${redactUrl(databaseUrl)}`,
    '',
    `  Notification API key (development, kept in ${rel(path.join(DEV_SECRETS_DIR, 'notification-api-key'))}):`,
    `    ${apiKey}`,
    `  Get a signed webhook for new articles that match a query (more: notification API docs):`,
    `    curl -X POST http://127.0.0.1:3003/api/subscriptions \\`,
    `         -H "authorization: Bearer $(cat .cache/dev/notification-api-key)" -H 'content-type: application/json' \\`,
    `         -d '{"name": "demo", "webhookUrl": "http://127.0.0.1:8080/hook", "filter": {"query": "climate OR \\"global warming\\""}}'`,
    `    curl -H "authorization: Bearer $(cat .cache/dev/notification-api-key)" http://127.0.0.1:3003/api/subscriptions`,
    '',
    `  ${paint('dim', 'Ctrl-C stops everything.')}`,
    rule,
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch(async (error) => {
  if (isShuttingDown()) return;
  fail(errorMessage(error));
  await stopAll();
  process.exit(1);
});
