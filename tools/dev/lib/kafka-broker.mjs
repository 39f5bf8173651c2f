// @ts-check
/**
 * A real Apache Kafka broker without Docker: the jars pinned in tools/kafka/pom.xml are fetched once
 * with Maven into .cache/kafka/<version>/libs and `kafka.Kafka` runs as a single-node KRaft
 * broker+controller from them (config: tools/kafka/server.properties.template, logging:
 * tools/kafka/log4j2.properties, everything it logs goes to a file).
 *
 * Exports:
 * - ensureKafkaJars(): checks java (17+) and, when the jars are not cached yet, mvn; fetches the jars.
 * - startBroker({ dataDir, port, controllerPort, logFile }): formats dataDir when it has no
 *   meta.properties, starts the broker and resolves once it answers a Kafka Metadata request listing
 *   itself and has logged "Kafka Server started", and its group/transaction coordinators are loaded;
 *   rejects with the tail of its log when it exits or is not ready within 60 s. The handle's stop()
 *   sends SIGTERM, then SIGKILL after 15 s.
 * - isReachable(host, port), probeKafka(host, port), warmUpCoordinators(), freePort(), freePorts(n),
 *   brokerPidFromFile(), stopBrokerFromPidFile().
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { checkJava, ensureMavenArtifacts, pomProperty } from './maven-artifacts.mjs';
import { describeExit, registerCleanup, runCaptured } from './processes.mjs';
import {
  REPO_ROOT,
  deadline,
  errorMessage,
  formatDuration,
  note,
  ok,
  pidFromFile,
  rel,
  sleep,
  stopFromPidFile,
  tailFile,
} from './util.mjs';

export const KAFKA_TOOLS_DIR = path.join(REPO_ROOT, 'tools', 'kafka');
const POM_FILE = path.join(KAFKA_TOOLS_DIR, 'pom.xml');
const LOG4J_FILE = path.join(KAFKA_TOOLS_DIR, 'log4j2.properties');
const TEMPLATE_FILE = path.join(KAFKA_TOOLS_DIR, 'server.properties.template');
export const KAFKA_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'kafka');

/** The broker that `npm start` and `npm run kafka` share (its data is kept between runs). */
export const DEV_BROKER = Object.freeze({
  port: 9092,
  controllerPort: 9093,
  dataDir: path.join(KAFKA_CACHE_DIR, 'data'),
  logFile: path.join(KAFKA_CACHE_DIR, 'broker.log'),
  pidFile: path.join(KAFKA_CACHE_DIR, 'broker.pid'),
});

const HOST = '127.0.0.1';
const READY_LOG_LINE = 'Kafka Server started';
/** The Kafka version pinned in tools/kafka/pom.xml. */
export function kafkaVersion() {
  return pomProperty(POM_FILE, 'kafka.version');
}

/**
 * @typedef {object} KafkaJars
 * @property {string} version
 * @property {string} libsDir
 * @property {string} java the java command to run them with
 * @property {boolean} fetched whether they were downloaded just now
 */

/**
 * Makes sure the broker jars for the pinned version are in .cache/kafka/<version>/libs, fetched with
 * `mvn dependency:copy-dependencies` once per pom.xml (changing the pom, e.g. the log4j version, fetches
 * again).
 * @returns {Promise<KafkaJars>}
 */
export async function ensureKafkaJars() {
  const { java } = checkJava('The local Kafka broker');
  const version = kafkaVersion();
  const libsDir = path.join(KAFKA_CACHE_DIR, version, 'libs');
  const { fetched, fetchMs } = await ensureMavenArtifacts({
    pomFile: POM_FILE,
    dir: libsDir,
    version,
    expectedFile: `kafka_2.13-${version}.jar`,
    goalArgs: ['dependency:copy-dependencies', '-DincludeScope=runtime'],
    fetching: `Fetching the Apache Kafka ${version} jars with Maven into ${rel(libsDir)} (once; ~30 s with an empty Maven cache)`,
    failure: 'Fetching the Kafka jars',
    mavenNeededFor: 'the Kafka broker jars listed in tools/kafka/pom.xml',
    mavenPer: 'Kafka',
  });
  if (fetched) ok(`Kafka ${version} jars ready (${formatDuration(fetchMs)})`);
  return { version, libsDir, java, fetched };
}

/**
 * A fresh Kafka cluster id: 16 random bytes in URL-safe base64 without padding, avoiding what
 * org.apache.kafka.common.Uuid.randomUuid() avoids (a leading '-' and the reserved ZERO/ONE ids).
 * Saves starting a JVM for `StorageTool random-uuid`.
 */
export function randomClusterId() {
  for (;;) {
    const id = crypto.randomBytes(16).toString('base64url');
    if (!id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAA' && id !== 'AAAAAAAAAAAAAAAAAAAAAQ') return id;
  }
}

/** @param {string} value */
function propertiesValue(value) {
  return value.replace(/\\/g, '\\\\');
}

/**
 * @param {{ port: number, controllerPort: number, dataDir: string }} options
 */
function renderServerProperties({ port, controllerPort, dataDir }) {
  /** @type {Record<string, string>} */
  const values = {
    PORT: String(port),
    CONTROLLER_PORT: String(controllerPort),
    LOG_DIR: propertiesValue(dataDir),
  };
  const text = fs.readFileSync(TEMPLATE_FILE, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, key) => {
    if (!(key in values)) throw new Error(`${rel(TEMPLATE_FILE)} uses an unknown placeholder ${whole}`);
    return values[key];
  });
  return `# Generated from ${rel(TEMPLATE_FILE)} by tools/dev; edit the template, not this file.\n${text}`;
}

/**
 * Whether something accepts TCP connections on host:port.
 * @param {string} host
 * @param {number} port
 * @param {number} [timeoutMs]
 * @returns {Promise<boolean>}
 */
export function isReachable(host, port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (/** @type {boolean} */ result) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Ports handed out to listen on: below Linux's ephemeral range (32768-60999). The kernel gives ports of
 * that range to outgoing connections as their source ports, so a port found free there (as `listen(0)`
 * finds them) can be taken by some client's connection before our broker or service binds it
 * (EADDRINUSE; seen in CI).
 */
const LISTEN_PORTS = { from: 20_000, to: 32_767 };

/**
 * Whether something can listen on `port` of 127.0.0.1 right now.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function canListen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now (see LISTEN_PORTS).
 * @returns {Promise<number>}
 */
export async function freePort() {
  const [port] = await freePorts(1);
  return /** @type {number} */ (port);
}

/**
 * Several distinct free ports, picked at random from LISTEN_PORTS, so that callers running at the same
 * time (test runs, benchmarks) rarely pick the same one.
 * @param {number} count
 * @returns {Promise<number[]>}
 */
export async function freePorts(count) {
  /** @type {Set<number>} */
  const ports = new Set();
  const span = LISTEN_PORTS.to - LISTEN_PORTS.from + 1;
  for (let attempt = 0; ports.size < count; attempt++) {
    if (attempt >= 50 * count) {
      throw new Error(`no ${count} free ports between ${LISTEN_PORTS.from} and ${LISTEN_PORTS.to}`);
    }
    const port = LISTEN_PORTS.from + Math.floor(Math.random() * span);
    if (!ports.has(port) && (await canListen(port))) ports.add(port);
  }
  return [...ports];
}

// ---------------------------------------------------------------------------------------------------
// A minimal Kafka protocol client (ApiVersions v0, Metadata v4–v7, FindCoordinator v1–v2), so
// readiness can be checked the way a client sees it without kafkajs (not installed yet when these
// scripts start). Only non-flexible request versions, which need no tagged fields.

class Reader {
  /** @param {Buffer} buffer */
  constructor(buffer) {
    this.buffer = buffer;
    this.offset = 0;
  }
  int16() {
    const value = this.buffer.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32() {
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  /** @returns {string | null} */
  nullableString() {
    const length = this.int16();
    if (length < 0) return null;
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}

/** @param {string} value */
function encodeString(value) {
  const bytes = Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** One TCP connection to a broker; requests are sent one at a time. */
class KafkaConnection {
  /**
   * @param {string} host
   * @param {number} port
   * @param {number} timeoutMs for connecting and for each response
   */
  constructor(host, port, timeoutMs) {
    this.address = `${host}:${port}`;
    this.timeoutMs = timeoutMs;
    this.socket = net.connect({ host, port });
    this.buffered = Buffer.alloc(0);
    this.correlationId = 0;
    /** @type {Error | undefined} */
    this.failure = undefined;
    /** @type {{ resolve: (frame: Buffer) => void, reject: (error: Error) => void } | undefined} */
    this.waiter = undefined;
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve(undefined));
      this.socket.once('error', reject);
    });
    this.connected.catch(() => undefined);
    this.socket.on('error', (error) => this.fail(error));
    this.socket.on('close', () => this.fail(new Error(`${this.address} closed the connection`)));
    this.socket.on('data', (chunk) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.deliver();
    });
  }

  /** @param {Error} error */
  fail(error) {
    this.failure ??= error;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.failure);
  }

  deliver() {
    if (!this.waiter || this.buffered.length < 4) return;
    const length = this.buffered.readInt32BE(0);
    if (this.buffered.length < 4 + length) return;
    const frame = this.buffered.subarray(4, 4 + length);
    this.buffered = this.buffered.subarray(4 + length);
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter.resolve(frame);
  }

  /**
   * Sends a request (header v1: api key, version, correlation id, client id) and returns a reader
   * positioned after the response's correlation id.
   * @param {number} apiKey
   * @param {number} apiVersion
   * @param {Buffer} body
   * @returns {Promise<Reader>}
   */
  async request(apiKey, apiVersion, body) {
    await withTimeout(this.connected, this.timeoutMs, `no connection to ${this.address}`);
    if (this.failure) throw this.failure;
    const correlationId = ++this.correlationId;
    const header = Buffer.alloc(8);
    header.writeInt16BE(apiKey, 0);
    header.writeInt16BE(apiVersion, 2);
    header.writeInt32BE(correlationId, 4);
    const payload = Buffer.concat([header, encodeString('newsflow-dev-probe'), body]);
    const size = Buffer.alloc(4);
    size.writeInt32BE(payload.length);
    const frame = new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
    this.socket.write(Buffer.concat([size, payload]));
    this.deliver();
    const reader = new Reader(
      /** @type {Buffer} */ (await withTimeout(frame, this.timeoutMs, `no answer from ${this.address}`)),
    );
    if (reader.int32() !== correlationId) throw new Error(`unexpected response from ${this.address}`);
    return reader;
  }

  /**
   * The supported version range of every API (ApiVersions v0).
   * @returns {Promise<Map<number, { min: number, max: number }>>}
   */
  async apiVersions() {
    const reader = await this.request(18, 0, Buffer.alloc(0));
    const errorCode = reader.int16();
    if (errorCode !== 0) throw new Error(`ApiVersions error code ${errorCode}`);
    const versions = new Map();
    for (let count = reader.int32(); count > 0; count--) {
      const apiKey = reader.int16();
      versions.set(apiKey, { min: reader.int16(), max: reader.int16() });
    }
    return versions;
  }

  close() {
    this.socket.destroy();
  }
}

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} message
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms, message) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The version to use of an API: the lowest in both [supported.min, supported.max] and [low, high].
 * @param {Map<number, { min: number, max: number }>} versions
 * @param {number} apiKey
 * @param {number} low
 * @param {number} high
 */
function pickVersion(versions, apiKey, low, high) {
  const range = versions.get(apiKey);
  if (!range) return undefined;
  const version = Math.max(low, range.min);
  return version <= Math.min(high, range.max) ? version : undefined;
}

/**
 * @typedef {object} KafkaProbeResult
 * @property {Array<{ nodeId: number, host: string, port: number }>} brokers live (unfenced) brokers
 * @property {string | null} clusterId
 * @property {number} controllerId
 * @property {boolean} metadataChecked false when the broker offers none of Metadata v4–v7
 */

/**
 * Asks a Kafka broker for its API versions and cluster metadata. Rejects when it does not answer
 * like a Kafka broker within the timeout.
 * @param {string} host
 * @param {number} port
 * @param {number} [timeoutMs]
 * @returns {Promise<KafkaProbeResult>}
 */
export async function probeKafka(host, port, timeoutMs = 2000) {
  const connection = new KafkaConnection(host, port, timeoutMs);
  try {
    const versions = await connection.apiVersions();
    const version = pickVersion(versions, 3, 4, 7);
    if (version === undefined)
      return { brokers: [], clusterId: null, controllerId: -1, metadataChecked: false };
    // Metadata v4–v7 request: topics = [] (none, just the brokers), allow_auto_topic_creation = false.
    const reader = await connection.request(3, version, Buffer.from([0, 0, 0, 0, 0]));
    reader.int32(); // throttle_time_ms
    const brokers = [];
    for (let count = reader.int32(); count > 0; count--) {
      const nodeId = reader.int32();
      const brokerHost = reader.nullableString() ?? '';
      const brokerPort = reader.int32();
      reader.nullableString(); // rack
      brokers.push({ nodeId, host: brokerHost, port: brokerPort });
    }
    const clusterId = reader.nullableString();
    const controllerId = reader.int32();
    return { brokers, clusterId, controllerId, metadataChecked: true };
  } catch (error) {
    throw new Error(`${host}:${port} did not answer as a Kafka broker: ${errorMessage(error)}`);
  } finally {
    connection.close();
  }
}

/**
 * Has the broker create and load its group and transaction coordinators (the __consumer_offsets and
 * __transaction_state topics), which it otherwise does on the first client request for them, making
 * the first consumer group join or producer of every fresh broker wait and log retriable errors.
 * Best effort: resolves false when they are not ready within the timeout.
 * @param {string} host
 * @param {number} port
 * @param {number} [timeoutMs]
 */
export async function warmUpCoordinators(host, port, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  const connection = new KafkaConnection(host, port, 3000);
  try {
    const version = pickVersion(await connection.apiVersions(), 10, 1, 2);
    if (version === undefined) return false;
    for (const keyType of [0, 1]) {
      for (;;) {
        // FindCoordinator v1–v2: key, key_type (0 = group, 1 = transaction).
        const reader = await connection.request(
          10,
          version,
          Buffer.concat([encodeString('newsflow-warm-up'), Buffer.from([keyType])]),
        );
        reader.int32(); // throttle_time_ms
        if (reader.int16() === 0) break;
        if (Date.now() > until) return false;
        await sleep(200);
      }
    }
    return true;
  } catch {
    return false;
  } finally {
    connection.close();
  }
}
// ---------------------------------------------------------------------------------------------------

/**
 * @typedef {object} BrokerHandle
 * @property {number | undefined} pid
 * @property {string} host
 * @property {number} port
 * @property {number} controllerPort
 * @property {string} bootstrap "127.0.0.1:<port>", for KAFKA_BROKERS
 * @property {string} dataDir
 * @property {string} logFile
 * @property {boolean} formatted whether the data directory was formatted by this start
 * @property {number} formatMs time spent formatting it (0 when it was not)
 * @property {number} startupMs time from spawning the JVM to serving clients
 * @property {number} warmUpMs time spent afterwards loading the group/transaction coordinators
 * @property {Promise<import('./processes.mjs').ExitInfo>} exited
 * @property {() => boolean} isRunning
 * @property {(timeoutMs?: number) => Promise<void>} stop SIGTERM, SIGKILL after 15 s; idempotent
 */

/**
 * Starts a single-node KRaft broker and waits until it serves clients.
 * @param {object} options
 * @param {string} options.dataDir the Kafka log directory (formatted when it has no meta.properties)
 * @param {number} options.port client (PLAINTEXT) port on 127.0.0.1
 * @param {number} options.controllerPort KRaft controller port on 127.0.0.1
 * @param {string} options.logFile everything the broker logs (truncated at each start)
 * @param {string} [options.configFile] where to write server.properties (default: beside logFile)
 * @param {string} [options.pidFile] where to record the pid (default: broker.pid beside logFile)
 * @param {KafkaJars} [options.jars] from ensureKafkaJars() (called when omitted)
 * @param {number} [options.timeoutMs] default 60 s
 * @param {boolean} [options.warmUp] load the group and transaction coordinators before resolving
 *   (default true; see warmUpCoordinators())
 * @param {string} [options.heap] -Xmx value, default 512m
 * @param {(info: import('./processes.mjs').ExitInfo) => void} [options.onUnexpectedExit] exits after ready
 *   without stop()
 * @returns {Promise<BrokerHandle>}
 */
export async function startBroker(options) {
  const {
    dataDir,
    port,
    controllerPort,
    logFile,
    timeoutMs = 60_000,
    heap = '512m',
    warmUp = true,
    onUnexpectedExit,
  } = options;
  const runDir = path.dirname(logFile);
  const configFile = options.configFile ?? path.join(runDir, 'server.properties');
  const pidFile = options.pidFile ?? path.join(runDir, 'broker.pid');
  const jars = options.jars ?? (await ensureKafkaJars());
  const classpath = `${jars.libsDir}${path.sep}*`;
  const log4j = [`-Dlog4j2.configurationFile=${LOG4J_FILE}`, `-Dnewsflow.kafka.logFile=${logFile}`];

  fs.mkdirSync(runDir, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(configFile, renderServerProperties({ port, controllerPort, dataDir }));
  fs.writeFileSync(
    logFile,
    `# Kafka ${jars.version} broker log, started ${new Date().toISOString()} by tools/dev\n`,
  );

  let formatted = false;
  const formatStarted = Date.now();
  if (!fs.existsSync(path.join(dataDir, 'meta.properties'))) {
    const clusterId = randomClusterId();
    const result = await runCaptured(jars.java, [
      ...log4j,
      '-cp',
      classpath,
      'kafka.tools.StorageTool',
      'format',
      '--standalone',
      '-t',
      clusterId,
      '-c',
      configFile,
    ]);
    fs.appendFileSync(logFile, result.output);
    if (result.code !== 0) {
      throw new Error(
        `Formatting the Kafka data directory ${rel(dataDir)} failed (${result.error?.message ?? `exit code ${result.code}`}). ` +
          `Deleting that directory and retrying usually helps.\n${result.output.trim().split('\n').slice(-20).join('\n')}`,
      );
    }
    formatted = true;
  }
  const formatMs = formatted ? Date.now() - formatStarted : 0;

  const started = Date.now();
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    jars.java,
    [
      `-Xmx${heap}`,
      `-Xms${heap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      // C1 only: this broker lives for a test run or a benchmark, and C2 compiling its hot paths took
      // more CPU over its first minutes (mostly in the kernel, on a 2-core VM) than it ever saved: at
      // 100 articles/s the broker used 0.36 cores with C2 and 0.22 without (ADR 0001).
      '-XX:TieredStopAtLevel=1',
      '-XX:+ExplicitGCInvokesConcurrent',
      '-Djava.awt.headless=true',
      ...log4j,
      '-cp',
      classpath,
      'kafka.Kafka',
      configFile,
    ],
    // Own process group: a Ctrl-C in the terminal reaches the script, which stops services first.
    { cwd: runDir, stdio: ['ignore', out, out], detached: true },
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

  /** @param {string} signal */
  const sendSignal = (signal) => {
    if (exitInfo || child.pid === undefined) return;
    try {
      process.kill(signal === 'SIGKILL' ? -child.pid : child.pid, /** @type {NodeJS.Signals} */ (signal));
    } catch {
      child.kill(/** @type {NodeJS.Signals} */ (signal));
    }
  };

  /** @param {number} [stopTimeoutMs] */
  const stop = async (stopTimeoutMs = 15_000) => {
    stopRequested = true;
    if (exitInfo) return;
    const stopStarted = Date.now();
    note(`stopping Kafka broker on ${HOST}:${port}…`);
    sendSignal('SIGTERM');
    const result = await Promise.race([exited, deadline(stopTimeoutMs)]);
    if (!result) {
      note(`Kafka broker did not stop within ${formatDuration(stopTimeoutMs)}; killing it`);
      sendSignal('SIGKILL');
      await exited;
    }
    note(`stopped Kafka broker (${formatDuration(Date.now() - stopStarted)})`);
  };

  const unregister = registerCleanup({
    name: 'kafka broker',
    stop: () => stop(),
    killNow: () => sendSignal('SIGTERM'),
  });

  // Ready = the log says "Kafka Server started" and a Metadata request lists a live broker (or, should
  // the log line ever change, Metadata has listed one for over a second).
  let logOffset = 0;
  let logCarry = '';
  let sawReadyLine = false;
  let probeOkSince = 0;
  const readNewLog = () => {
    let fd;
    try {
      fd = fs.openSync(logFile, 'r');
      const size = fs.fstatSync(fd).size;
      if (size <= logOffset) return;
      const buffer = Buffer.alloc(size - logOffset);
      fs.readSync(fd, buffer, 0, buffer.length, logOffset);
      logOffset = size;
      const text = logCarry + buffer.toString('utf8');
      if (text.includes(READY_LOG_LINE)) sawReadyLine = true;
      logCarry = text.slice(-READY_LOG_LINE.length);
    } catch {
      // not written yet
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  };

  /** @param {string} what */
  const startupError = (what) => {
    const tail = logExcerpt(logFile);
    const bind = /failed to bind to (\S+):/.exec(tail)?.[1] ?? `${HOST}:${port} or :${controllerPort}`;
    const hint = /Address already in use|BindException/.test(tail)
      ? `\n${bind} is already in use (another broker? \`ss -ltnp\` shows who listens).`
      : '';
    return new Error(`Kafka broker ${what}.${hint}\nFrom ${rel(logFile)}:\n${tail || '(empty)'}`);
  };

  for (;;) {
    if (exitInfo) {
      const how = exitInfo.error
        ? `could not be started (${exitInfo.error.message})`
        : `exited during startup (${exitInfo.signal ?? `exit code ${exitInfo.code}`})`;
      throw startupError(how);
    }
    if (Date.now() - started > timeoutMs) {
      await stop(5_000);
      throw startupError(`was not ready within ${formatDuration(timeoutMs)}`);
    }
    readNewLog();
    if (sawReadyLine || Date.now() - started > 2_000) {
      try {
        const probe = await probeKafka(HOST, port, 1_000);
        const serving = !probe.metadataChecked || probe.brokers.some((broker) => broker.port === port);
        if (serving) {
          probeOkSince ||= Date.now();
          if (sawReadyLine || Date.now() - probeOkSince > 1_000) break;
        } else {
          probeOkSince = 0;
        }
      } catch {
        probeOkSince = 0;
      }
    }
    await sleep(150);
  }
  const startupMs = Date.now() - started;

  let warmUpMs = 0;
  if (warmUp) {
    const warmUpStarted = Date.now();
    await warmUpCoordinators(HOST, port);
    warmUpMs = Date.now() - warmUpStarted;
    if (exitInfo) throw startupError(`exited during startup (${describeExit(exitInfo)})`);
  }
  ready = true;

  return {
    pid: child.pid,
    host: HOST,
    port,
    controllerPort,
    bootstrap: `${HOST}:${port}`,
    dataDir,
    logFile,
    formatted,
    formatMs,
    startupMs,
    warmUpMs,
    exited,
    isRunning: () => exitInfo === undefined,
    stop,
  };
}

/**
 * E.g. "data directory formatted in 1.8 s, started in 3.9 s, coordinators loaded in 0.4 s".
 * @param {BrokerHandle} broker
 */
export function describeBrokerStartup(broker) {
  const parts = [];
  if (broker.formatted) parts.push(`data directory formatted in ${formatDuration(broker.formatMs)}`);
  parts.push(`started in ${formatDuration(broker.startupMs)}`);
  if (broker.warmUpMs > 0) parts.push(`coordinators loaded in ${formatDuration(broker.warmUpMs)}`);
  return parts.join(', ');
}

/**
 * What explains a broker failure: the ERROR/FATAL lines and exception messages ("Caused by: …") near
 * the end of its log, without stack frames; or simply its last lines when there are none.
 * @param {string} logFile
 * @param {number} [lines]
 */
export function logExcerpt(logFile, lines = 20) {
  const all = tailFile(logFile, 5000, 1024 * 1024).split('\n');
  const errors = all.filter(
    (line) => /^\[[^\]]+\] (ERROR|FATAL)\b/.test(line) || /^(Caused by: |\S+(Exception|Error)\b)/.test(line),
  );
  const picked = errors.length > 0 ? errors : all.filter((line) => !/^\s/.test(line));
  return picked.slice(-lines).join('\n');
}

/**
 * The pid recorded in a Kafka broker pid file, when that process is still a running Kafka broker.
 * @param {string} pidFile
 */
export function brokerPidFromFile(pidFile) {
  return pidFromFile(pidFile, 'kafka.Kafka');
}

/**
 * Stops a Kafka broker started earlier (possibly by another process) via its pid file: SIGTERM, then
 * SIGKILL after the timeout. Resolves false when none runs.
 * @param {string} pidFile
 * @param {number} [timeoutMs]
 */
export function stopBrokerFromPidFile(pidFile, timeoutMs = 15_000) {
  return stopFromPidFile(pidFile, 'kafka.Kafka', timeoutMs);
}
