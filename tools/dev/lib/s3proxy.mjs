// @ts-check
/**
 * An S3-compatible endpoint without Docker: S3Proxy (https://github.com/gaul/s3proxy), pinned in
 * tools/s3proxy/pom.xml, is fetched once with Maven into .cache/s3proxy/<version>/ and runs as
 * `java -jar` with jclouds' filesystem backend, so buckets are folders under a data directory.
 *
 * Exports:
 * - ensureS3ProxyJar(): checks java (17+) and, when the jar is not cached yet, mvn; fetches the jar.
 * - startS3Proxy({ dataDir, port, logFile }): writes s3proxy.properties (path-style, AWS SigV2/V4
 *   with random test credentials, data in dataDir), starts S3Proxy and resolves once it has logged that
 *   Jetty started and answers HTTP on 127.0.0.1:<port> as an S3 API; rejects with the tail of its log when it exits or is not ready within 60 s. The
 *   handle has the endpoint and credentials for S3_ENDPOINT / AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
 *   and stop() sends SIGTERM, then SIGKILL after 10 s.
 * - s3ProxyPidFromFile(), stopS3ProxyFromPidFile(): for instances left behind by killed runs.
 *
 * S3Proxy logs at LOG_LEVEL info into the log file; set S3PROXY_LOG_LEVEL=debug (or trace) to see each
 * request.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, javaCommand } from './kafka-broker.mjs';
import { describeExit, registerCleanup, runCaptured } from './processes.mjs';
import {
  REPO_ROOT,
  deadline,
  formatDuration,
  note,
  ok,
  pidFromFile,
  rel,
  sleep,
  step,
  stopFromPidFile,
  tailFile,
} from './util.mjs';

export const S3PROXY_TOOLS_DIR = path.join(REPO_ROOT, 'tools', 's3proxy');
const POM_FILE = path.join(S3PROXY_TOOLS_DIR, 'pom.xml');
export const S3PROXY_CACHE_DIR = path.join(REPO_ROOT, '.cache', 's3proxy');

const HOST = '127.0.0.1';
const MARKER_NAME = '.complete';
/** Jetty's line once it listens (S3Proxy logs through logback; this line has been stable for years). */
const READY_LOG_LINE = /Started (ServerConnector|Server)@/;
/** S3Proxy accepts any region in signatures; the clients only need to agree on one. */
export const S3PROXY_REGION = 'us-east-1';

const INSTALL_JAVA_HINT =
  'Install a Java 17+ runtime (e.g. `sudo apt-get install openjdk-17-jre-headless`, `brew install openjdk@17`) ' +
  'or point JAVA_HOME at one.';

/** Checks that java runs and is version 17 or newer (S3Proxy 2.7 needs 17); returns the command. */
function checkJava() {
  const bin = javaCommand();
  const result = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    const reason =
      /** @type {NodeJS.ErrnoException} */ (result.error).code === 'ENOENT'
        ? 'was not found'
        : result.error.message;
    throw new Error(`S3Proxy needs Java 17 or newer, but \`${bin}\` ${reason}. ${INSTALL_JAVA_HINT}`);
  }
  const text = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= 17)) {
    const found = text.split('\n')[0]?.trim() || 'an unknown version';
    throw new Error(
      `S3Proxy needs Java 17 or newer; \`${bin} -version\` reports: ${found}. ${INSTALL_JAVA_HINT}`,
    );
  }
  return bin;
}

function checkMaven() {
  const result = spawnSync('mvn', ['-B', '--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      'Maven (`mvn`) is needed once to download the S3Proxy jar pinned in tools/s3proxy/pom.xml, but it ' +
        `${result.error ? 'was not found' : 'failed to run'}. Install Maven 3.8+ (e.g. \`sudo apt-get install maven\`, ` +
        '`brew install maven`) and run this again; it needs network access to Maven Central once per S3Proxy version.',
    );
  }
}

/** The S3Proxy version pinned in tools/s3proxy/pom.xml. */
export function s3ProxyVersion() {
  const pom = fs.readFileSync(POM_FILE, 'utf8');
  const match = /<s3proxy\.version>\s*([^<\s]+)\s*<\/s3proxy\.version>/.exec(pom);
  if (!match) throw new Error(`${rel(POM_FILE)} has no <s3proxy.version> property`);
  return match[1];
}

/**
 * @typedef {object} S3ProxyJar
 * @property {string} version
 * @property {string} jar the jar-with-dependencies
 * @property {string} java the java command to run it with
 * @property {boolean} fetched whether it was downloaded just now
 * @property {number} fetchMs time spent fetching it (0 when cached)
 */

/** @param {string} markerFile @param {string} pomHash */
function markerMatches(markerFile, pomHash) {
  try {
    return JSON.parse(fs.readFileSync(markerFile, 'utf8')).pomSha256 === pomHash;
  } catch {
    return false;
  }
}

/** @param {string} version */
function jarName(version) {
  return `s3proxy-${version}-jar-with-dependencies.jar`;
}

/**
 * Makes sure the S3Proxy jar of the pinned version is in .cache/s3proxy/<version>/. It is fetched with
 * `mvn dependency:copy` (the artifact item in tools/s3proxy/pom.xml) unless a marker file records a
 * completed fetch for the current pom.xml.
 * @returns {Promise<S3ProxyJar>}
 */
export async function ensureS3ProxyJar() {
  const java = checkJava();
  const pomText = fs.readFileSync(POM_FILE, 'utf8');
  const pomHash = crypto.createHash('sha256').update(pomText).digest('hex');
  const version = s3ProxyVersion();
  const dir = path.join(S3PROXY_CACHE_DIR, version);
  const jar = path.join(dir, jarName(version));
  const marker = path.join(dir, MARKER_NAME);
  if (markerMatches(marker, pomHash) && fs.existsSync(jar))
    return { version, jar, java, fetched: false, fetchMs: 0 };

  const started = Date.now();
  step(`Fetching S3Proxy ${version} with Maven into ${rel(dir)} (once; ~40 MB)`);
  checkMaven();
  const tmpDir = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(tmpDir), { recursive: true });
  const result = await runCaptured('mvn', [
    '-B',
    '-q',
    '-f',
    POM_FILE,
    'dependency:copy',
    `-DoutputDirectory=${tmpDir}`,
  ]);
  if (result.code !== 0 || !fs.existsSync(path.join(tmpDir, jarName(version)))) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    const output = result.output.trim().split('\n').slice(-30).join('\n');
    throw new Error(
      `Fetching S3Proxy ${version} failed (mvn ${result.error ? result.error.message : `exit code ${result.code}`}). ` +
        `Maven must reach Maven Central (or your mirror in ~/.m2/settings.xml).\n${output}`,
    );
  }
  fs.writeFileSync(
    path.join(tmpDir, MARKER_NAME),
    `${JSON.stringify({ version, pomSha256: pomHash, completedAt: new Date().toISOString() })}\n`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
  try {
    fs.renameSync(tmpDir, dir);
  } catch (error) {
    // Another run finished the same fetch a moment earlier: use its copy.
    fs.rmSync(tmpDir, { recursive: true, force: true });
    if (!markerMatches(marker, pomHash)) throw error;
  }
  const fetchMs = Date.now() - started;
  ok(`S3Proxy ${version} ready (${formatDuration(fetchMs)})`);
  return { version, jar, java, fetched: true, fetchMs };
}

/**
 * A value for a Java properties file (backslashes are escapes there; Windows paths need doubling).
 * @param {string} value
 */
function propertiesValue(value) {
  return value.replace(/\\/g, '\\\\').replace(/\r?\n/g, ' ');
}

/**
 * @param {{ port: number, dataDir: string, identity: string, credential: string }} options
 */
function renderProperties({ port, dataDir, identity, credential }) {
  /** @type {Array<[string, string]>} */
  const entries = [
    ['s3proxy.endpoint', `http://${HOST}:${port}`],
    // Clients may sign with either; S3Proxy checks the signature against the credential below.
    ['s3proxy.authorization', 'aws-v2-or-v4'],
    ['s3proxy.identity', identity],
    ['s3proxy.credential', credential],
    // No s3proxy.virtual-host: path-style requests only (http://127.0.0.1:<port>/<bucket>/<key>).
    ['jclouds.provider', 'filesystem'],
    ['jclouds.filesystem.basedir', dataDir],
  ];
  return [
    '# Generated by tools/dev/lib/s3proxy.mjs for one S3Proxy run; rewritten at every start.',
    ...entries.map(([key, value]) => `${key}=${propertiesValue(value)}`),
    '',
  ].join('\n');
}

/**
 * Sends one HTTP request to the endpoint and resolves with the status code and whether the answer came
 * from an S3 API (it has an x-amz-request-id header), or undefined when nothing answers. An anonymous
 * GET / gets 403 AccessDenied from S3Proxy, which is fine: it answers.
 * @param {number} port
 * @param {number} [timeoutMs]
 * @returns {Promise<{ status: number | undefined, s3: boolean } | undefined>}
 */
export function probeHttp(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const request = http.get(
      { host: HOST, port, path: '/', timeout: timeoutMs, agent: false },
      (response) => {
        response.resume();
        resolve({
          status: response.statusCode,
          s3: typeof response.headers['x-amz-request-id'] === 'string',
        });
      },
    );
    request.once('timeout', () => request.destroy());
    request.once('error', () => resolve(undefined));
  });
}

/**
 * @typedef {object} S3ProxyHandle
 * @property {number | undefined} pid
 * @property {number} port
 * @property {string} endpoint "http://127.0.0.1:<port>", for S3_ENDPOINT
 * @property {string} accessKeyId for AWS_ACCESS_KEY_ID
 * @property {string} secretAccessKey for AWS_SECRET_ACCESS_KEY
 * @property {string} region for S3_REGION (S3Proxy accepts any; us-east-1)
 * @property {string} version
 * @property {string} dataDir
 * @property {string} logFile
 * @property {number} startupMs time from spawning the JVM to answering HTTP
 * @property {Promise<import('./processes.mjs').ExitInfo>} exited
 * @property {() => boolean} isRunning
 * @property {(timeoutMs?: number) => Promise<void>} stop SIGTERM, SIGKILL after 10 s; idempotent
 */

/**
 * Starts S3Proxy on 127.0.0.1:<port> with a filesystem backend in dataDir and waits until it answers
 * HTTP. Buckets are created by the clients (CreateBucket); each is a folder in dataDir.
 * @param {object} options
 * @param {string} options.dataDir where the buckets live (created when missing)
 * @param {number} [options.port] on 127.0.0.1; default: a free port
 * @param {string} options.logFile everything S3Proxy logs (truncated at each start)
 * @param {string} [options.configFile] where to write the properties (default: beside logFile)
 * @param {string} [options.pidFile] where to record the pid (default: s3proxy.pid beside logFile)
 * @param {S3ProxyJar} [options.jar] from ensureS3ProxyJar() (called when omitted)
 * @param {string} [options.accessKeyId] default: a random test value
 * @param {string} [options.secretAccessKey] default: a random test value
 * @param {number} [options.timeoutMs] default 60 s
 * @param {string} [options.heap] -Xmx value, default 256m
 * @param {(info: import('./processes.mjs').ExitInfo) => void} [options.onUnexpectedExit] exits after ready
 *   without stop()
 * @returns {Promise<S3ProxyHandle>}
 */
export async function startS3Proxy(options) {
  const { dataDir, logFile, timeoutMs = 60_000, heap = '256m', onUnexpectedExit } = options;
  const port = options.port ?? (await freePort());
  const runDir = path.dirname(logFile);
  const configFile = options.configFile ?? path.join(runDir, 's3proxy.properties');
  const pidFile = options.pidFile ?? path.join(runDir, 's3proxy.pid');
  const jar = options.jar ?? (await ensureS3ProxyJar());
  const accessKeyId = options.accessKeyId ?? `test-${crypto.randomBytes(6).toString('hex')}`;
  const secretAccessKey = options.secretAccessKey ?? crypto.randomBytes(24).toString('base64url');
  const endpoint = `http://${HOST}:${port}`;

  fs.mkdirSync(runDir, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  // Owner-only: it holds the (test) credential.
  fs.writeFileSync(
    configFile,
    renderProperties({
      port,
      dataDir: path.resolve(dataDir),
      identity: accessKeyId,
      credential: secretAccessKey,
    }),
    { mode: 0o600 },
  );
  fs.writeFileSync(logFile, `# S3Proxy ${jar.version}, started ${new Date().toISOString()} by tools/dev\n`);

  const started = Date.now();
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    jar.java,
    [
      `-Xmx${heap}`,
      '-XX:+UseSerialGC',
      // A short-lived test server: the C1 compiler alone starts noticeably faster.
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      '-jar',
      jar.jar,
      '--properties',
      configFile,
    ],
    // Own process group: a Ctrl-C in the terminal reaches the script, which stops services first.
    {
      cwd: runDir,
      stdio: ['ignore', out, out],
      detached: true,
      env: { ...process.env, LOG_LEVEL: process.env.S3PROXY_LOG_LEVEL ?? 'info' },
    },
  );
  fs.closeSync(out);
  if (child.pid !== undefined) fs.writeFileSync(pidFile, `${child.pid}\n`);

  let stopRequested = false;
  let ready = false;
  /** @type {import('./processes.mjs').ExitInfo | undefined} */
  let exitInfo;
  const exited = /** @type {Promise<import('./processes.mjs').ExitInfo>} */ (
    new Promise((resolve) => {
      child.once('error', (error) => resolve({ code: null, signal: null, error }));
      child.once('exit', (code, signal) => resolve({ code, signal }));
    })
  ).then((info) => {
    exitInfo = info;
    unregister();
    fs.rmSync(pidFile, { force: true });
    if (ready && !stopRequested) onUnexpectedExit?.(info);
    return info;
  });

  /** @param {NodeJS.Signals} signal */
  const sendSignal = (signal) => {
    if (exitInfo || child.pid === undefined) return;
    try {
      process.kill(signal === 'SIGKILL' ? -child.pid : child.pid, signal);
    } catch {
      child.kill(signal);
    }
  };

  /** @param {number} [stopTimeoutMs] */
  const stop = async (stopTimeoutMs = 10_000) => {
    stopRequested = true;
    if (exitInfo) return;
    const stopStarted = Date.now();
    note(`stopping S3Proxy on ${HOST}:${port}…`);
    sendSignal('SIGTERM');
    const result = await Promise.race([exited, deadline(stopTimeoutMs)]);
    if (!result) {
      note(`S3Proxy did not stop within ${formatDuration(stopTimeoutMs)}; killing it`);
      sendSignal('SIGKILL');
      await exited;
    }
    note(`stopped S3Proxy (${formatDuration(Date.now() - stopStarted)})`);
  };

  const unregister = registerCleanup({
    name: 's3proxy',
    stop: () => stop(),
    killNow: () => sendSignal('SIGTERM'),
  });

  /** @param {string} what */
  const startupError = (what) => {
    const tail = logExcerpt(logFile);
    const hint = /Address already in use|BindException|Failed to bind/.test(tail)
      ? `\n${HOST}:${port} is already in use (\`ss -ltnp\` shows who listens).`
      : '';
    return new Error(`S3Proxy ${what}.${hint}\nFrom ${rel(logFile)}:\n${tail || '(empty)'}`);
  };

  // Ready = S3Proxy has logged that Jetty started AND the port gives an S3 answer (x-amz-request-id).
  // The log line matters: a server that already held the port would answer while this S3Proxy fails
  // to bind and exits. Should the line ever change, a long-running process whose port answers counts.
  let sawReadyLine = false;
  for (;;) {
    if (exitInfo) {
      const how = exitInfo.error
        ? `could not be started (${exitInfo.error.message})`
        : `exited during startup (${describeExit(exitInfo)})`;
      throw startupError(how);
    }
    if (Date.now() - started > timeoutMs) {
      await stop(5_000);
      throw startupError(`was not ready within ${formatDuration(timeoutMs)}`);
    }
    if (!sawReadyLine) sawReadyLine = READY_LOG_LINE.test(tailFile(logFile, 400, 256 * 1024));
    if (sawReadyLine || Date.now() - started > 15_000) {
      const probe = await probeHttp(port);
      if (probe?.s3 && !exitInfo) break;
    }
    await sleep(100);
  }
  const startupMs = Date.now() - started;
  ready = true;

  return {
    pid: child.pid,
    port,
    endpoint,
    accessKeyId,
    secretAccessKey,
    region: S3PROXY_REGION,
    version: jar.version,
    dataDir,
    logFile,
    startupMs,
    exited,
    isRunning: () => exitInfo === undefined,
    stop,
  };
}

/**
 * What explains an S3Proxy failure: warnings, errors and exception messages near the end of its log,
 * without stack frames; or simply its last lines when there are none.
 * @param {string} logFile
 * @param {number} [lines]
 */
export function logExcerpt(logFile, lines = 20) {
  const all = tailFile(logFile, 2000, 512 * 1024).split('\n');
  const errors = all.filter(
    (line) =>
      /^\[s3proxy\] [EW] /.test(line) ||
      /^(Caused by: |Exception in thread |\S+(Exception|Error)\b)/.test(line),
  );
  const picked = errors.length > 0 ? errors : all.filter((line) => !/^\s/.test(line));
  return picked.slice(-lines).join('\n');
}

/**
 * The pid recorded in a S3Proxy pid file, when that process is still a running S3Proxy.
 * @param {string} pidFile
 */
export function s3ProxyPidFromFile(pidFile) {
  return pidFromFile(pidFile, 's3proxy');
}

/**
 * Stops a S3Proxy started earlier (possibly by another process) via its pid file: SIGTERM, then
 * SIGKILL after the timeout. Resolves false when none runs.
 * @param {string} pidFile
 * @param {number} [timeoutMs]
 */
export function stopS3ProxyFromPidFile(pidFile, timeoutMs = 10_000) {
  return stopFromPidFile(pidFile, 's3proxy', timeoutMs);
}
