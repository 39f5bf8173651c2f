/**
 * The pipeline the benchmark measures, all on 127.0.0.1 and all owned by this process: a throw-away
 * Kafka broker (tools/dev's startBroker on free ports, data under .cache/bench/e2e/, deleted at the
 * end) unless KAFKA_BROKERS names one, the database `newsflow_bench_e2e` (recreated each run), the four
 * services from dist/ as child processes on free ports with consumer groups of their own, a temporary
 * inbox folder and a webhook receiver with a subscription that matches every article.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

import { Client } from 'pg';

import { processCpu } from '../storage/proc';

export type ServiceName = 'ingestion' | 'enrichment' | 'storage' | 'notification';
/** Start order: the consumers first, ingestion (the producer) last. */
export const SERVICE_NAMES: readonly ServiceName[] = ['storage', 'notification', 'enrichment', 'ingestion'];

export const BENCH_DATABASE = 'newsflow_bench_e2e';
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function serviceEntry(root: string, name: ServiceName): string {
  return join(root, 'dist', 'apps', name, 'apps', name, 'src', 'main.js');
}

/** What the benchmark uses of tools/dev/lib/kafka-broker.mjs (typed there with JSDoc). */
interface BrokerHandle {
  pid: number | undefined;
  bootstrap: string;
  stop(timeoutMs?: number): Promise<void>;
}
interface BrokerModule {
  freePorts(count: number): Promise<number[]>;
  startBroker(options: {
    dataDir: string;
    port: number;
    controllerPort: number;
    logFile: string;
    heap?: string;
  }): Promise<BrokerHandle>;
}

async function loadBrokerModule(root: string): Promise<BrokerModule> {
  const file = join(root, 'tools', 'dev', 'lib', 'kafka-broker.mjs');
  return (await import(pathToFileURL(file).href)) as BrokerModule;
}

/** Resident memory of a process from /proc/<pid>/status: the peak (VmHWM) and now (VmRSS), bytes. */
export function processMemory(pid: number | undefined): { peakRss: number; rss: number } | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const peakRss = kb('VmHWM') * 1024;
    const rss = kb('VmRSS') * 1024;
    return Number.isFinite(peakRss) && Number.isFinite(rss) ? { peakRss, rss } : undefined;
  } catch {
    return undefined;
  }
}

/** One service from its build output, its log in a file (reading it costs the measurement nothing). */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private stopping = false;

  constructor(
    readonly name: ServiceName,
    private readonly entry: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logFile: string,
    /** Node options before the entry point (NODE_OPTIONS does not allow --cpu-prof). */
    private readonly nodeArgs: readonly string[] = [],
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const log = openSync(this.logFile, 'w');
    try {
      this.child = spawn(process.execPath, [...this.nodeArgs, this.entry], {
        env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
        stdio: ['ignore', log, log],
      });
    } finally {
      closeSync(log);
    }
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  async waitUntilReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.assertRunning();
      try {
        const response = await fetch(`${this.baseUrl}/health`);
        await response.arrayBuffer();
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(250);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  assertRunning(): void {
    if (this.child !== undefined && this.child.exitCode !== null && !this.stopping) {
      throw new Error(`${this.name} exited with ${this.child.exitCode}:\n${this.logTail()}`);
    }
  }

  cpuSeconds(): number | undefined {
    return this.pid === undefined ? undefined : processCpu(this.pid)?.seconds;
  }

  memory(): { peakRss: number; rss: number } | undefined {
    return processMemory(this.pid);
  }

  /** SIGTERM, SIGKILL after `deadlineMs`. */
  async stop(deadlineMs = 15_000): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    this.stopping = true;
    child.kill('SIGTERM');
    const result = await Promise.race([this.exited, sleep(deadlineMs, 'timeout' as const, { ref: false })]);
    if (result !== 'timeout') return result;
    child.kill('SIGKILL');
    return this.exited;
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** Receives the webhooks: the arrival time of each, keyed by the article id in its body. */
export class WebhookReceiver {
  readonly arrivals: { id: string; at: number }[] = [];
  /** Bodies that were not an `article.matched` with an article id (reported, never ignored silently). */
  readonly unexpected: string[] = [];
  private server: Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/bench`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const at = Date.now();
        const body = Buffer.concat(chunks).toString('utf8');
        const id = articleIdOfWebhook(body);
        if (id === undefined) this.unexpected.push(body.slice(0, 200));
        else this.arrivals.push({ id, at });
        response.writeHead(204).end();
      });
    });
    // Deliveries are sent a few at a time; keep-alive sockets must not be closed under them.
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** `data.article.id` of an `article.matched` webhook body, or undefined for anything else. */
export function articleIdOfWebhook(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as { type?: unknown; data?: { article?: { id?: unknown } } };
    const id = parsed.data?.article?.id;
    return parsed.type === 'article.matched' && typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

export interface StackOptions {
  root: string;
  /** KAFKA_BROKERS to use instead of starting a broker. */
  externalBrokers: string | undefined;
  logLevel: string;
  inboxStableMs: number | undefined;
  cpuProf: boolean;
  log: (line: string) => void;
}

export class Stack {
  readonly services = new Map<ServiceName, ServiceProcess>();
  readonly receiver = new WebhookReceiver();
  readonly inbox: string;
  /** Files are written here first and renamed into the inbox: a drop is one atomic rename. */
  readonly staging: string;
  readonly groups: Record<ServiceName, string>;
  private readonly workDir: string;
  private readonly cacheDir: string;
  private broker: BrokerHandle | undefined;
  private brokerModule: BrokerModule | undefined;
  brokers = '';
  apiKey = '';

  constructor(private readonly options: StackOptions) {
    this.workDir = mkdtempSync(join(tmpdir(), 'newsflow-bench-e2e-'));
    this.inbox = join(this.workDir, 'inbox');
    this.staging = join(this.workDir, 'staging');
    this.cacheDir = join(options.root, '.cache', 'bench', 'e2e');
    const run = randomBytes(3).toString('hex');
    this.groups = {
      ingestion: `bench-e2e-ingestion-${run}`,
      enrichment: `bench-e2e-enrichment-${run}`,
      storage: `bench-e2e-storage-${run}`,
      notification: `bench-e2e-notification-${run}`,
    };
  }

  get brokerPid(): number | undefined {
    return this.broker?.pid;
  }

  get ownsBroker(): boolean {
    return this.broker !== undefined;
  }

  get databaseUrl(): string {
    const url = new URL(adminUrl());
    url.pathname = `/${BENCH_DATABASE}`;
    return url.toString();
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not part of the stack`);
    return service;
  }

  async start(): Promise<void> {
    const { root, log } = this.options;
    mkdirSync(this.inbox, { recursive: true });
    mkdirSync(this.staging, { recursive: true });
    mkdirSync(this.cacheDir, { recursive: true });
    this.brokerModule = await loadBrokerModule(root);
    if (this.options.externalBrokers) {
      this.brokers = this.options.externalBrokers;
      log(`Kafka: ${this.brokers} (KAFKA_BROKERS; other producers on it would slow the run down)`);
    } else {
      const [port, controllerPort] = await this.brokerModule.freePorts(2);
      const started = Date.now();
      const dataDir = join(this.cacheDir, 'kafka-data');
      // A run stopped before its clean-up leaves its topics behind: the services would read its events
      // again (their groups are new) and the benchmark would count them.
      rmSync(dataDir, { recursive: true, force: true });
      this.broker = await this.brokerModule.startBroker({
        dataDir,
        port: port as number,
        controllerPort: controllerPort as number,
        logFile: join(this.cacheDir, 'kafka', 'broker.log'),
      });
      this.brokers = this.broker.bootstrap;
      log(`Kafka: own broker on ${this.brokers}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    await withAdmin(async (client) => {
      await client.query(`DROP DATABASE IF EXISTS "${BENCH_DATABASE}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${BENCH_DATABASE}"`);
    });
    await this.receiver.start();
    const ports = await this.brokerModule.freePorts(SERVICE_NAMES.length);
    const common: Record<string, string> = {
      KAFKA_BROKERS: this.brokers,
      DATABASE_URL: this.databaseUrl,
      INBOX_URL: this.inbox,
      LOG_LEVEL: this.options.logLevel,
      LOG_FORMAT: 'json',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      NOTIFICATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // On a broker of its own the groups start before any event; on a shared one they must not read
      // its history.
      KAFKA_AUTO_OFFSET_RESET: this.broker ? 'earliest' : 'latest',
      ...(this.options.inboxStableMs === undefined
        ? {}
        : { INBOX_STABLE_MS: String(this.options.inboxStableMs) }),
    };
    const storageUrl = `http://127.0.0.1:${ports[SERVICE_NAMES.indexOf('storage')] as number}`;
    SERVICE_NAMES.forEach((name, index) => {
      const entry = serviceEntry(root, name);
      if (!existsSync(entry))
        throw new Error(`${entry} is missing: build the services first (npm run bench builds them)`);
      this.services.set(
        name,
        new ServiceProcess(
          name,
          entry,
          ports[index] as number,
          { ...common, KAFKA_GROUP_ID: this.groups[name], PUBLIC_API_URL: storageUrl },
          join(this.cacheDir, `${name}.log`),
          this.options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${join(this.cacheDir, 'profiles')}`] : [],
        ),
      );
    });
    // Storage first: it creates the topics' consumers that the others' events go to.
    const started = Date.now();
    for (const service of this.services.values()) service.start();
    await Promise.all([...this.services.values()].map((service) => service.waitUntilReady()));
    log(
      `Services ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        [...this.services.values()].map((service) => `${service.name} :${service.port}`).join(', ') +
        ` (logs in .cache/bench/e2e/)`,
    );
    this.apiKey = await this.createApiKey();
    await this.subscribeToEverything();
  }

  /** The notification API key, created with the built CLI as an operator would. */
  private createApiKey(): Promise<string> {
    const cli = join(
      this.options.root,
      'dist/apps/notification/apps/notification/src/app/api-keys/api-key.cli.js',
    );
    return new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        [cli, 'create', '--name', 'bench-e2e'],
        { env: { ...process.env, DATABASE_URL: this.databaseUrl } },
        (error, stdout, stderr) =>
          error ? reject(new Error(`api-key create: ${stderr}`)) : resolve(stdout.trim()),
      ),
    );
  }

  /** Every article comes from the local inbox (bucket `local`): a source prefix of `local/` matches all. */
  private async subscribeToEverything(): Promise<void> {
    const response = await fetch(`${this.service('notification').baseUrl}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({
        name: 'bench: every article',
        webhookUrl: this.receiver.url,
        filter: { sources: { prefixes: ['local/'] } },
      }),
    });
    if (response.status !== 201) {
      throw new Error(`Creating the subscription failed: ${response.status} ${await response.text()}`);
    }
  }

  assertRunning(): void {
    for (const service of this.services.values()) service.assertRunning();
  }

  async stop(keepDatabase: boolean): Promise<string[]> {
    const problems: string[] = [];
    // Ingestion first (it stops taking files), the consumers after it.
    for (const name of [...SERVICE_NAMES].reverse()) {
      const service = this.services.get(name);
      const code = await service?.stop();
      if (code !== undefined && code !== null && code !== 0) {
        problems.push(`${name} exited with ${code} when stopped; its log: ${service?.logFile ?? ''}`);
      }
    }
    await this.receiver.stop();
    await this.broker?.stop();
    if (this.broker) rmSync(join(this.cacheDir, 'kafka-data'), { recursive: true, force: true });
    if (!keepDatabase) {
      await withAdmin((client) =>
        client.query(`DROP DATABASE IF EXISTS "${BENCH_DATABASE}" WITH (FORCE)`),
      ).catch((error: unknown) => problems.push(`dropping ${BENCH_DATABASE}: ${String(error)}`));
    }
    rmSync(this.workDir, { recursive: true, force: true });
    return problems;
  }
}

function adminUrl(): string {
  const configured = process.env['DATABASE_ADMIN_URL'] ?? process.env['DATABASE_URL'];
  if (!configured) return DEFAULT_ADMIN_URL;
  // Any database of the server will do to create ours; `postgres` always exists.
  const url = new URL(configured);
  url.pathname = '/postgres';
  return url.toString();
}

export async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function withBenchDatabase<T>(stack: Stack, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
