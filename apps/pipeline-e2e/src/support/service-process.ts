import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { eventually } from './environment';

export type ServiceName = 'ingestion' | 'enrichment' | 'storage' | 'notification';

export function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nx.json not found above the e2e tests');
    dir = parent;
  }
  return dir;
}

/** A service started from its build output (`nx build <name>`), as in production. */
export class ServiceProcess {
  private readonly output: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): void {
    const entry = path.join(repoRoot(), 'dist', 'apps', this.name, 'apps', this.name, 'src', 'main.js');
    if (!existsSync(entry)) {
      throw new Error(`${entry} is missing: build the services first (npx nx run-many -t build)`);
    }
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, ...this.env, PORT: String(this.port), LOG_LEVEL: 'info', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 2_000) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    this.child = child;
  }

  async waitUntilReady(timeoutMs = 90_000): Promise<void> {
    await eventually(
      `${this.name} /health to answer 200`,
      async () => {
        if (this.child?.exitCode !== null) throw new Error(`${this.name} exited:\n${this.logs()}`);
        const response = await fetch(`${this.baseUrl}/health`);
        return response.ok ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** SIGTERM, and the exit code, or an error when it does not exit within `deadlineMs`. */
  async stop(deadlineMs = 10_000): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), deadlineMs).unref(),
    );
    const result = await Promise.race([this.exited, timeout]);
    if (result === 'timeout') {
      this.child.kill('SIGKILL');
      throw new Error(`${this.name} did not exit within ${deadlineMs} ms of SIGTERM`);
    }
    return result ?? null;
  }

  logs(): string {
    return this.output.join('').split('\n').slice(-60).join('\n');
  }
}
