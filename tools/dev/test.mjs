#!/usr/bin/env node
// @ts-check
/**
 * `npm test`: every check, exactly as CI runs it (`bash .ci/run`). Phases, in order:
 *
 *   install       `npm ci` when node_modules is missing or out of date
 *   unit          `nx run-many -t lint typecheck test build` (per project, cached by Nx)
 *   kafka jars    the broker jars pinned in tools/kafka/pom.xml (Maven, once per version)
 *   kafka broker  a FRESH single-node broker on free ports, data in .cache/kafka-test-<pid>/ (deleted
 *                 afterwards, also on failure and Ctrl-C)
 *   s3proxy       S3Proxy (tools/s3proxy/pom.xml; the jar is fetched with Maven once per version) on a
 *                 free port with FRESH buckets in .cache/s3proxy-test-<pid>/ (deleted afterwards, also on
 *                 failure and Ctrl-C)
 *   prometheus    prometheus and promtool from Debian's package, unpacked into .cache/prometheus/ once
 *                 (tools/dev/lib/prometheus.mjs; no root needed) for the observability e2e test
 *   database      drops and creates `newsflow_test` through DATABASE_ADMIN_URL
 *                 (default postgres://postgres@127.0.0.1:5432/postgres)
 *   integration   `jest -c jest.integration.config.ts --runInBand` with KAFKA_BROKERS,
 *                 DATABASE_URL=…/newsflow_test, S3_ENDPOINT, S3_REGION, AWS_ACCESS_KEY_ID,
 *                 AWS_SECRET_ACCESS_KEY, PROMETHEUS_BIN, PROMTOOL_BIN and NEWSFLOW_TEST=1
 *   faults        `npm run test:faults` (tools/faults): the six fault scenarios of the reliability
 *                 issue, each on its own throw-away broker and database, against the built services
 *
 * nx and jest run from node_modules/.bin (what `npx` would run, minus the npm process in between,
 * which would not pass SIGTERM on). A failing unit phase does not stop the others (one run shows every problem) unless --bail is given;
 * integration needs the broker, S3Proxy and the database. A summary with each phase's duration follows, and
 * the very last line is "<N> passed, <N> failed" (counting phases). Exit code: 0 when nothing failed,
 * 1 otherwise, 130 after Ctrl-C.
 *
 * Flags for developers (after `npm test --`):
 *   --skip-unit         no lint/typecheck/unit tests, but still build (the e2e tests run dist/)
 *   --only-integration  only the kafka, s3proxy, prometheus, database and integration phases (no
 *                       lint/tests/build, no faults)
 *   --skip-faults       everything but the fault suite (it takes 7 to 10 minutes)
 *   --only-faults       build, then only the fault suite
 *   --bail              stop at the first failing phase
 *   -- <jest args>      passed on to jest, e.g.  npm test -- --only-integration -- -t 'dead letter'
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { recreateDatabase, redactUrl, withDatabase } from './lib/database.mjs';
import { ensureNodeModules } from './lib/install.mjs';
import {
  describeBrokerStartup,
  ensureKafkaJars,
  freePort,
  freePorts,
  startBroker,
  stopBrokerFromPidFile,
} from './lib/kafka-broker.mjs';
import { ensurePrometheus } from './lib/prometheus.mjs';
import { ensureS3ProxyJar, startS3Proxy, stopS3ProxyFromPidFile } from './lib/s3proxy.mjs';
import { describeExit, isShuttingDown, onShutdownSignal, runInherited, stopAll } from './lib/processes.mjs';
import {
  REPO_ROOT,
  errorMessage,
  fail,
  formatDuration,
  note,
  ok,
  paint,
  isPidAlive,
  localBin,
  rel,
} from './lib/util.mjs';

const TEST_DATABASE = 'newsflow_test';
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const CACHE_DIR = path.join(REPO_ROOT, '.cache');
const TEST_DIR = path.join(CACHE_DIR, `kafka-test-${process.pid}`);
const KEPT_BROKER_LOG = path.join(CACHE_DIR, 'kafka-test-last-broker.log');
const S3PROXY_TEST_DIR = path.join(CACHE_DIR, `s3proxy-test-${process.pid}`);
const KEPT_S3PROXY_LOG = path.join(CACHE_DIR, 's3proxy-test-last.log');

const USAGE = `Usage: npm test [-- [--skip-unit | --only-integration | --only-faults] [--skip-faults] [--bail] [-- <jest args>]]

  --skip-unit         skip lint, typecheck and unit tests (still builds)
  --only-integration  only the Kafka broker, S3Proxy, Prometheus, database and integration phases
  --skip-faults       skip the fault suite (npm run test:faults) that runs last
  --only-faults       build, then run only the fault suite
  --bail              stop at the first failing phase
  -- <jest args>      extra arguments for the integration jest run`;

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ skipUnit: boolean, onlyIntegration: boolean, skipFaults: boolean, onlyFaults: boolean, bail: boolean, jestArgs: string[] }} */
  const options = {
    skipUnit: false,
    onlyIntegration: false,
    skipFaults: false,
    onlyFaults: false,
    bail: false,
    jestArgs: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      options.jestArgs = argv.slice(i + 1);
      break;
    } else if (arg === '--skip-unit') options.skipUnit = true;
    else if (arg === '--only-integration') options.onlyIntegration = true;
    else if (arg === '--skip-faults') options.skipFaults = true;
    else if (arg === '--only-faults') options.onlyFaults = true;
    else if (arg === '--bail') options.bail = true;
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`Unknown option ${arg}\n\n${USAGE}\n`);
      process.exit(2);
    }
  }
  if (options.onlyFaults && (options.onlyIntegration || options.skipFaults)) {
    process.stderr.write(`--only-faults goes with neither --only-integration nor --skip-faults\n\n${USAGE}\n`);
    process.exit(2);
  }
  return options;
}

/** @typedef {{ name: string, status: 'passed' | 'failed' | 'skipped', ms: number, detail: string }} PhaseResult */

/** @type {PhaseResult[]} */
const results = [];
let bailed = false;
/** @type {{ name: string, started: number } | undefined} */
let currentPhase;

/**
 * Runs one phase: prints a header, times it, records passed/failed. `fn` returns a short detail for
 * the summary, or throws.
 * @param {string} name
 * @param {() => Promise<string | void>} fn
 * @param {{ bail: boolean }} options
 */
async function phase(name, fn, { bail }) {
  if (bailed || isShuttingDown()) {
    results.push({
      name,
      status: 'skipped',
      ms: 0,
      detail: bailed ? '--bail after a failure' : 'interrupted',
    });
    return false;
  }
  process.stdout.write(`\n${paint('bold', `━━ ${name}`)}\n`);
  const started = performance.now();
  currentPhase = { name, started };
  try {
    const detail = (await fn()) ?? '';
    const ms = performance.now() - started;
    results.push({ name, status: 'passed', ms, detail });
    ok(`${name} passed (${formatDuration(ms)})`);
    return true;
  } catch (error) {
    const ms = performance.now() - started;
    const message = errorMessage(error);
    results.push({ name, status: 'failed', ms, detail: message.split('\n')[0] });
    fail(`${name} failed (${formatDuration(ms)}): ${message}`);
    if (bail) bailed = true;
    return false;
  } finally {
    currentPhase = undefined;
  }
}

/**
 * @param {string} name
 * @param {string} why
 */
function skip(name, why) {
  results.push({ name, status: 'skipped', ms: 0, detail: why });
}

/**
 * Runs a command from node_modules/.bin (the same as `npx <bin>`, without npm in between); throws
 * when it fails.
 * @param {string} bin
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} [env]
 */
async function mustSucceed(bin, args, env) {
  const result = await runInherited(localBin(bin), args, env ? { env } : {});
  if (result.code !== 0) throw new Error(`${[bin, ...args].join(' ')} failed (${describeExit(result)})`);
}

/** @param {{ bail: boolean }} options */
async function buildPhase(options) {
  await phase(
    'build',
    () => mustSucceed('nx', ['run-many', '-t', 'build', '--outputStyle=stream']).then(() => 'nx build'),
    options,
  );
}

/**
 * The fault suite runs last: it starts its own broker and database per scenario against the built
 * services, so it needs nothing from the earlier phases but the build, and its 7 to 10 minutes come
 * after every quicker signal.
 * @param {{ bail: boolean }} options
 */
async function faultsPhase(options) {
  await phase(
    'faults',
    () =>
      mustSucceed('ts-node', [
        '--transpile-only',
        '-r',
        './tools/ts-node/register-paths.cjs',
        '--project',
        'tools/faults/tsconfig.json',
        'tools/faults/src/cli.ts',
      ]).then(() => 'six scenarios: nothing lost or duplicated'),
    options,
  );
}

/**
 * Removes .cache/kafka-test-<pid> and .cache/s3proxy-test-<pid> directories (and their brokers and
 * S3Proxies) left by runs that were killed.
 */
async function removeLeftovers() {
  let entries = [];
  try {
    entries = fs.readdirSync(CACHE_DIR);
  } catch {
    return;
  }
  for (const entry of entries) {
    const match = /^(kafka|s3proxy)-test-(\d+)$/.exec(entry);
    if (!match || Number(match[2]) === process.pid || isPidAlive(Number(match[2]))) continue;
    const dir = path.join(CACHE_DIR, entry);
    if (match[1] === 'kafka' && (await stopBrokerFromPidFile(path.join(dir, 'broker.pid'))))
      note(`stopped a leftover test broker from ${rel(dir)}`);
    if (match[1] === 's3proxy' && (await stopS3ProxyFromPidFile(path.join(dir, 's3proxy.pid'))))
      note(`stopped a leftover test S3Proxy from ${rel(dir)}`);
    fs.rmSync(dir, { recursive: true, force: true });
    note(`removed leftover ${rel(dir)}`);
  }
}

/** @type {import('./lib/kafka-broker.mjs').BrokerHandle | undefined} */
let broker;
/** @type {import('./lib/s3proxy.mjs').S3ProxyHandle | undefined} */
let s3proxy;
let finished = false;

/**
 * Deletes a test directory, keeping its log file as `keptLog` when something failed.
 * @param {string} dir
 * @param {string} logFile
 * @param {string} keptLog
 * @param {string} what
 */
function removeTestDir(dir, logFile, keptLog, what) {
  if (!fs.existsSync(dir)) return;
  if (results.some((result) => result.status === 'failed') && fs.existsSync(logFile)) {
    fs.copyFileSync(logFile, keptLog);
    note(`kept the ${what} log as ${rel(keptLog)}`);
  } else {
    fs.rmSync(keptLog, { force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

/**
 * Stops the test broker and S3Proxy and deletes their directories (keeping their logs when something
 * failed).
 */
async function cleanUp() {
  await stopAll();
  removeTestDir(TEST_DIR, path.join(TEST_DIR, 'broker.log'), KEPT_BROKER_LOG, 'broker');
  removeTestDir(S3PROXY_TEST_DIR, path.join(S3PROXY_TEST_DIR, 's3proxy.log'), KEPT_S3PROXY_LOG, 'S3Proxy');
}

/** @param {boolean} interrupted */
function printSummary(interrupted) {
  if (interrupted && currentPhase) {
    results.push({
      name: currentPhase.name,
      status: 'failed',
      ms: performance.now() - currentPhase.started,
      detail: 'interrupted',
    });
  }
  const width = Math.max(...results.map((result) => result.name.length), 12);
  const icon = {
    passed: paint('green', '✔'),
    failed: paint('red', '✖'),
    skipped: paint('gray', '-'),
  };
  const lines = results.map(
    (result) =>
      `  ${icon[result.status]} ${result.name.padEnd(width)}  ${(result.status === 'skipped' ? 'skipped' : formatDuration(result.ms)).padStart(10)}  ${paint('gray', result.detail)}`,
  );
  const passed = results.filter((result) => result.status === 'passed').length;
  const failed = results.filter((result) => result.status === 'failed').length;
  process.stdout.write(`\n${paint('bold', '━━ Summary')}\n${lines.join('\n')}\n`);
  process.stdout.write(
    `  total ${formatDuration(performance.now())}${interrupted ? ' (interrupted)' : ''}\n`,
  );
  // The last line, for CI logs: phases passed and failed.
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  process.chdir(REPO_ROOT);
  onShutdownSignal(async () => {
    if (finished) return 130;
    finished = true;
    await cleanUp();
    printSummary(true);
    return 130;
  });

  await removeLeftovers();

  const installed = await phase(
    'install',
    () => ensureNodeModules().then(({ installed: ran }) => (ran ? 'npm ci' : 'up to date')),
    options,
  );
  if (!installed) {
    for (const name of [
      'unit',
      'kafka jars',
      'kafka broker',
      's3proxy',
      'prometheus',
      'database',
      'integration',
      'faults',
    ])
      skip(name, 'needs install');
  } else if (options.onlyFaults) {
    await buildPhase(options);
    await faultsPhase(options);
  } else {
    if (options.onlyIntegration) {
      skip('unit', '--only-integration');
    } else if (options.skipUnit) {
      await buildPhase(options);
    } else {
      await phase(
        'unit',
        () =>
          mustSucceed('nx', [
            'run-many',
            '-t',
            'lint',
            'typecheck',
            'test',
            'build',
            '--outputStyle=stream',
          ]).then(() => 'lint typecheck test build'),
        options,
      );
    }

    /** @type {import('./lib/kafka-broker.mjs').KafkaJars | undefined} */
    let jars;
    await phase(
      'kafka jars',
      async () => {
        jars = await ensureKafkaJars();
        return `Kafka ${jars.version}${jars.fetched ? ', fetched' : ', cached'}`;
      },
      options,
    );

    if (jars) {
      const kafkaJars = jars;
      await phase(
        'kafka broker',
        async () => {
          for (let attempt = 1; ; attempt++) {
            const [port, controllerPort] = await freePorts(2);
            fs.rmSync(TEST_DIR, { recursive: true, force: true });
            try {
              broker = await startBroker({
                dataDir: path.join(TEST_DIR, 'data'),
                port,
                controllerPort,
                logFile: path.join(TEST_DIR, 'broker.log'),
                jars: kafkaJars,
                onUnexpectedExit: (info) =>
                  fail(`the test Kafka broker exited unexpectedly (${describeExit(info)})`),
              });
              return `${broker.bootstrap}; ${describeBrokerStartup(broker)}`;
            } catch (error) {
              // Another process took a port between freePorts() and the broker binding it: new ports.
              if (attempt >= 3 || !/already in use/.test(errorMessage(error))) throw error;
              note(`port clash on ${port}/${controllerPort}; retrying with other ports`);
            }
          }
        },
        options,
      );
    } else {
      skip('kafka broker', 'needs the kafka jars');
    }

    await phase(
      's3proxy',
      async () => {
        const jar = await ensureS3ProxyJar();
        const fetched = jar.fetched ? `, jar fetched in ${formatDuration(jar.fetchMs)}` : '';
        for (let attempt = 1; ; attempt++) {
          const port = await freePort();
          fs.rmSync(S3PROXY_TEST_DIR, { recursive: true, force: true });
          try {
            s3proxy = await startS3Proxy({
              dataDir: path.join(S3PROXY_TEST_DIR, 'data'),
              port,
              logFile: path.join(S3PROXY_TEST_DIR, 's3proxy.log'),
              jar,
              onUnexpectedExit: (info) =>
                fail(`the test S3Proxy exited unexpectedly (${describeExit(info)})`),
            });
            return `${s3proxy.endpoint}; S3Proxy ${jar.version}${fetched}, started in ${formatDuration(s3proxy.startupMs)}`;
          } catch (error) {
            // Another process took the port between freePort() and S3Proxy binding it: another port.
            if (attempt >= 3 || !/already in use/.test(errorMessage(error))) throw error;
            note(`port clash on ${port}; retrying with another port`);
          }
        }
      },
      options,
    );

    /** @type {import('./lib/prometheus.mjs').PrometheusBinaries | undefined} */
    let prometheus;
    // Only the observability e2e spec needs it: when this fails, integration still runs and that spec
    // fails with the same reason.
    await phase(
      'prometheus',
      async () => {
        prometheus = await ensurePrometheus();
        return `Prometheus ${prometheus.version} (${prometheus.source}${prometheus.fetched ? ` in ${formatDuration(prometheus.fetchMs)}` : ''})`;
      },
      options,
    );

    const adminUrl = process.env.DATABASE_ADMIN_URL?.trim() || DEFAULT_ADMIN_URL;
    const databaseUrl = withDatabase(adminUrl, TEST_DATABASE);
    const databaseReady = await phase(
      'database',
      async () => {
        await recreateDatabase(adminUrl, TEST_DATABASE);
        return redactUrl(databaseUrl);
      },
      options,
    );

    if (broker && s3proxy && databaseReady) {
      const bootstrap = broker.bootstrap;
      const s3 = s3proxy;
      await phase(
        'integration',
        async () => {
          process.stdout.write(
            `${paint('gray', `KAFKA_BROKERS=${bootstrap} DATABASE_URL=${redactUrl(databaseUrl)} S3_ENDPOINT=${s3.endpoint} NEWSFLOW_TEST=1`)}\n`,
          );
          /** @type {NodeJS.ProcessEnv} */
          const env = {
            ...process.env,
            KAFKA_BROKERS: bootstrap,
            DATABASE_URL: databaseUrl,
            S3_ENDPOINT: s3.endpoint,
            S3_REGION: s3.region,
            AWS_ACCESS_KEY_ID: s3.accessKeyId,
            AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
            NEWSFLOW_TEST: '1',
            ...(prometheus
              ? { PROMETHEUS_BIN: prometheus.prometheus, PROMTOOL_BIN: prometheus.promtool }
              : {}),
          };
          // A developer's own AWS session token or path-style setting must not reach the test S3 clients.
          delete env.AWS_SESSION_TOKEN;
          delete env.S3_FORCE_PATH_STYLE;
          await mustSucceed(
            'jest',
            ['-c', 'jest.integration.config.ts', '--runInBand', ...options.jestArgs],
            env,
          );
          return 'jest';
        },
        options,
      );
    } else {
      skip('integration', 'needs the kafka broker, S3Proxy and the database');
    }

    if (options.onlyIntegration) skip('faults', '--only-integration');
    else if (options.skipFaults) skip('faults', '--skip-faults');
    else await faultsPhase(options);
  }

  if (isShuttingDown()) return; // Ctrl-C: the signal handler cleans up, reports and exits
  finished = true;
  await cleanUp();
  const failed = printSummary(false);
  process.exit(failed > 0 ? 1 : 0);
}

main().catch(async (error) => {
  if (finished || isShuttingDown()) return;
  finished = true;
  fail(errorMessage(error));
  results.push({ name: 'test runner', status: 'failed', ms: 0, detail: errorMessage(error).split('\n')[0] });
  await cleanUp();
  printSummary(false);
  process.exit(1);
});
