/**
 * The running pipeline of one scenario, all on 127.0.0.1 and all owned by this process: a throw-away
 * Kafka broker (tools/dev's startBroker, own ports and data directory), an own database, the four
 * services from dist/ as child processes, an inbox folder and a webhook receiver. Only what is started
 * here is ever stopped or killed.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { Client } from 'pg';

import { WebhookReceiver } from './webhook-receiver';

export type ServiceName = 'ingestion' | 'enrichment' | 'storage' | 'notification';
export const SERVICE_NAMES: readonly ServiceName[] = ['storage', 'notification', 'enrichment', 'ingestion'];

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nx.json not found above tools/faults');
    dir = parent;
  }
  return dir;
}

/** What the suite uses of tools/dev/lib/kafka-broker.mjs (typed there with JSDoc). */
interface BrokerHandle {
  pid: number | undefined;
  bootstrap: string;
  stop(timeoutMs?: number): Promise<void>;
}
interface BrokerModule {
  ensureKafkaJars(): Promise<unknown>;
  freePorts(count: number): Promise<number[]>;
  startBroker(options: {
    dataDir: string;
    port: number;
    controllerPort: number;
    logFile: string;
    jars?: unknown;
    heap?: string;
  }): Promise<BrokerHandle>;
}

async function loadBrokerModule(): Promise<BrokerModule> {
  const file = path.join(repoRoot(), 'tools', 'dev', 'lib', 'kafka-broker.mjs');
  return (await import(pathToFileURL(file).href)) as BrokerModule;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One service from its build output; records exits nobody asked for. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private expectExit = false;
  private readonly output: string[] = [];
  starts = 0;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly onUnexpectedExit: (message: string) => void,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    const entry = path.join(repoRoot(), 'dist', 'apps', this.name, 'apps', this.name, 'src', 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npx nx run-many -t build\` first`);
    this.expectExit = false;
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, ...this.env, PORT: String(this.port), LOG_LEVEL: 'warn', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (!this.expectExit) {
          this.onUnexpectedExit(
            `${this.name} exited unexpectedly (${signal ?? `code ${code}`}):\n${this.logs()}`,
          );
        }
        resolve();
      }),
    );
    this.child = child;
    this.starts++;
  }

  async waitUntilReady(timeoutMs = 120_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.child?.exitCode !== null)
        throw new Error(`${this.name} exited during startup:\n${this.logs()}`);
      try {
        if ((await fetch(`${this.baseUrl}/health`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > until)
        throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.logs()}`);
      await sleep(300);
    }
  }

  /** The fault of scenario 1: no shutdown hook runs, in-flight work is simply gone. */
  async kill9(): Promise<void> {
    this.expectExit = true;
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(deadlineMs = 10_000): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.expectExit = true;
    this.child.kill('SIGTERM');
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(deadlineMs).then(() => true)]);
    if (timedOut) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }

  logs(): string {
    return this.output.join('').split('\n').slice(-30).join('\n');
  }
}

export interface StackOptions {
  /** Prefix of the scenario's database and folders. */
  label: string;
  /** Seconds between webhook attempts (WEBHOOK_RETRY_SCHEDULE). */
  webhookRetrySchedule: string;
}

export class Stack {
  readonly problems: string[] = [];
  readonly services = new Map<ServiceName, ServiceProcess>();
  readonly receiver = new WebhookReceiver();
  readonly database: string;
  readonly inbox: string;
  private readonly workDir: string;
  private broker: BrokerHandle | undefined;
  private brokerPorts: [number, number] = [0, 0];
  private brokerModule: BrokerModule | undefined;
  private jars: unknown;
  apiKey = '';
  signingSecret = '';

  constructor(private readonly options: StackOptions) {
    this.database = `newsflow_faults_${options.label}_${randomBytes(3).toString('hex')}`;
    this.workDir = mkdtempSync(path.join(tmpdir(), `newsflow-faults-${options.label}-`));
    this.inbox = path.join(this.workDir, 'inbox');
  }

  get brokers(): string {
    return `127.0.0.1:${this.brokerPorts[0]}`;
  }

  get databaseUrl(): string {
    const url = new URL(adminUrl());
    url.pathname = `/${this.database}`;
    return url.toString();
  }

  service(name: ServiceName): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} is not part of the stack`);
    return service;
  }

  async start(): Promise<void> {
    this.brokerModule = await loadBrokerModule();
    this.jars = await this.brokerModule.ensureKafkaJars();
    const [port, controllerPort] = await this.brokerModule.freePorts(2);
    this.brokerPorts = [port as number, controllerPort as number];
    await this.startBroker();
    await withAdmin((client) => client.query(`CREATE DATABASE "${this.database}"`));
    await this.receiver.start();
    mkdirSync(this.inbox, { recursive: true });
    const common: Record<string, string> = {
      KAFKA_BROKERS: this.brokers,
      DATABASE_URL: this.databaseUrl,
      INBOX_DIR: this.inbox,
      INBOX_STABLE_MS: '200',
      // Shortened so that recovery from a killed ingestion fits the suite's time: a crashed attempt's
      // lease expires after 15 s and the reconciliation listing runs every 5 s.
      INBOX_RESCAN_INTERVAL_MS: '5000',
      INGEST_LEASE_SECONDS: '15',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: this.options.webhookRetrySchedule,
      NOTIFICATION_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    };
    for (const name of SERVICE_NAMES) {
      const [servicePort] = await this.brokerModule.freePorts(1);
      const service = new ServiceProcess(name, servicePort as number, common, (message) =>
        this.problems.push(message),
      );
      this.services.set(name, service);
    }
    for (const service of this.services.values()) service.start();
    await Promise.all([...this.services.values()].map((service) => service.waitUntilReady()));
    this.apiKey = await this.createApiKey();
  }

  async startBroker(): Promise<void> {
    if (!this.brokerModule) throw new Error('start() first');
    this.broker = await this.brokerModule.startBroker({
      dataDir: path.join(this.workDir, 'kafka-data'),
      port: this.brokerPorts[0],
      controllerPort: this.brokerPorts[1],
      logFile: path.join(this.workDir, 'kafka', 'broker.log'),
      jars: this.jars,
      heap: '384m',
    });
  }

  /** Scenario 2: SIGTERM to our own broker (never the shared one), data kept for the restart. */
  async stopBroker(): Promise<void> {
    await this.broker?.stop();
    this.broker = undefined;
  }

  async restart(name: ServiceName): Promise<void> {
    const service = this.service(name);
    service.start();
    await service.waitUntilReady();
  }

  /** The notification API key, created with the built CLI as an operator would. */
  private createApiKey(): Promise<string> {
    const cli = path.join(
      repoRoot(),
      'dist/apps/notification/apps/notification/src/app/api-keys/api-key.cli.js',
    );
    return new Promise((resolve, reject) =>
      execFile(
        process.execPath,
        [cli, 'create', '--name', 'faults'],
        { env: { ...process.env, DATABASE_URL: this.databaseUrl } },
        (error, stdout, stderr) =>
          error ? reject(new Error(`api-key create: ${stderr}`)) : resolve(stdout.trim()),
      ),
    );
  }

  async subscribe(keywords: string[]): Promise<void> {
    const response = await fetch(`${this.service('notification').baseUrl}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.apiKey}` },
      body: JSON.stringify({ name: `faults ${this.options.label}`, webhookUrl: this.receiver.url, keywords }),
    });
    if (response.status !== 201)
      throw new Error(`creating the subscription: ${response.status} ${await response.text()}`);
    this.signingSecret = ((await response.json()) as { signingSecret: string }).signingSecret;
    this.receiver.secret = this.signingSecret;
  }

  /** A query on our own database. */
  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Scenario 3: ends every connection to OUR database (never another database's, never the postmaster). */
  async terminateConnections(): Promise<number> {
    const rows = await withAdmin((client) =>
      client.query<{ terminated: boolean }>(
        `SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
          WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [this.database],
      ),
    );
    return rows.rows.filter((row) => row.terminated).length;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.services.values()].map((service) => service.stop()));
    await this.receiver.stop();
    await this.broker?.stop();
    await withAdmin((client) =>
      client.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`),
    ).catch((error: unknown) => this.problems.push(`dropping ${this.database}: ${String(error)}`));
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

function adminUrl(): string {
  return process.env['DATABASE_ADMIN_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
