import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { eventually } from './environment';

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nx.json not found above the ingestion tests');
    dir = parent;
  }
  return dir;
}

export function ingestionEntry(): string {
  return path.join(repoRoot(), 'dist', 'apps', 'ingestion', 'apps', 'ingestion', 'src', 'main.js');
}

/** One JSON log line of the service. */
export interface LogLine {
  level?: number;
  msg?: string;
  key?: string;
  bucket?: string;
  kind?: string;
  [field: string]: unknown;
}

/**
 * The ingestion service started from its build output (`npx nx build ingestion`), as in production, with
 * JSON logs kept in memory for the test to inspect.
 */
export class IngestionProcess {
  private readonly lines: string[] = [];
  private partial = '';
  private child: ChildProcess | undefined;
  private exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | undefined;

  constructor(
    readonly label: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    const entry = ingestionEntry();
    if (!existsSync(entry)) {
      throw new Error(`${entry} is missing: build the service first (npx nx build ingestion)`);
    }
    const child = spawn(process.execPath, [entry], {
      env: {
        ...process.env,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...this.env,
        PORT: String(this.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      const text = this.partial + chunk.toString('utf8');
      const parts = text.split('\n');
      this.partial = parts.pop() ?? '';
      this.lines.push(...parts);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.child = child;
  }

  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    await eventually(
      `ingestion ${this.label} /health to answer 200`,
      async () => {
        if (!this.running) throw new Error(`ingestion ${this.label} exited:\n${this.logs()}`);
        const response = await fetch(`${this.baseUrl}/health`);
        return response.ok ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** SIGTERM, then the exit code; SIGKILL and an error when it does not exit within `deadlineMs`. */
  async stop(deadlineMs = 12_000): Promise<number | null> {
    if (!this.child || !this.running) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), deadlineMs).unref(),
    );
    const result = await Promise.race([this.exited, timeout]);
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      await this.exited;
      throw new Error(`ingestion ${this.label} did not exit within ${deadlineMs} ms of SIGTERM`);
    }
    return result?.code ?? null;
  }

  /** SIGKILL, as a crash or an OOM kill would: nothing gets to finish. */
  async kill(): Promise<void> {
    if (!this.child || !this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  async postJson(urlPath: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.baseUrl}${urlPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text) as unknown;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed };
  }

  /** The JSON log lines so far (non-JSON lines are skipped). */
  logLines(): LogLine[] {
    const parsed: LogLine[] = [];
    for (const line of this.lines) {
      if (!line.startsWith('{')) continue;
      try {
        parsed.push(JSON.parse(line) as LogLine);
      } catch {
        // a line cut by SIGKILL
      }
    }
    return parsed;
  }

  /** Keys this process logged as 'object ingested' (finished with status done). */
  ingestedKeys(bucket: string): string[] {
    return this.logLines()
      .filter(
        (line) => line.msg === 'object ingested' && line.bucket === bucket && typeof line.key === 'string',
      )
      .map((line) => line.key as string);
  }

  logs(lastLines = 60): string {
    return [...this.lines, this.partial].slice(-lastLines).join('\n');
  }
}
