/**
 * The storage service as it runs in production: its build output (`npx nx run storage:build`) in a
 * child process, configured by environment variables. A tool may not import app code, and measuring
 * the built service is the point anyway. Its log goes to a file, so that reading it costs the
 * benchmark nothing while it measures.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { type ProcessCpu, processCpu } from './proc';

export function storageEntry(repoRoot: string): string {
  return join(repoRoot, 'dist', 'apps', 'storage', 'apps', 'storage', 'src', 'main.js');
}

export const BUILD_HINT = 'Build it first: npx nx run storage:build';

/** A port nobody listens on right now, on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('Could not find a free port');
  return address.port;
}

export class StorageService {
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> | undefined;

  constructor(
    private readonly entry: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (!existsSync(this.entry)) throw new Error(`${this.entry} is missing. ${BUILD_HINT}`);
    const log = openSync(this.logFile, 'w');
    try {
      this.child = spawn(process.execPath, [this.entry], {
        env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
        stdio: ['ignore', log, log],
      });
    } finally {
      // The child has its own copy of the descriptor.
      closeSync(log);
    }
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Until /health answers 200 (the consumer is in its group and Postgres answers). */
  async waitUntilReady(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null) {
        throw new Error(`The storage service exited with ${this.child?.exitCode}:\n${this.logTail()}`);
      }
      try {
        const response = await fetch(`${this.baseUrl}/health`);
        await response.arrayBuffer();
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    throw new Error(`The storage service was not ready within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /** Whether it is still running; throws with its log when it is not. */
  assertRunning(): void {
    if (this.child?.exitCode !== null) {
      throw new Error(`The storage service exited with ${this.child?.exitCode}:\n${this.logTail()}`);
    }
  }

  cpu(): ProcessCpu | undefined {
    return this.pid === undefined ? undefined : processCpu(this.pid);
  }

  /** Peak and current resident memory of the service (Linux: /proc/<pid>/status), in bytes. */
  memory(): { peakRss: number; rss: number } | undefined {
    if (this.pid === undefined) return undefined;
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
      const peakRss = kb('VmHWM') * 1024;
      const rss = kb('VmRSS') * 1024;
      return Number.isFinite(peakRss) && Number.isFinite(rss) ? { peakRss, rss } : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL after `deadlineMs`; resolves with the exit code. */
  async stop(deadlineMs = 15_000): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || this.exited === undefined) return child?.exitCode ?? null;
    child.kill('SIGTERM');
    const timeout = sleep(deadlineMs, 'timeout' as const, { ref: false });
    const result = await Promise.race([this.exited, timeout]);
    if (result !== 'timeout') return result;
    child.kill('SIGKILL');
    return this.exited;
  }

  logTail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
