import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';

import { eventually } from './environment';
import { repoRoot } from './service-process';

export interface PrometheusBinaries {
  prometheus: string;
  promtool: string;
}

/**
 * The `prometheus` and `promtool` binaries: from PROMETHEUS_BIN/PROMTOOL_BIN, which `npm test` sets
 * after its prometheus phase, or else from the same tooling run here (Debian's package, cached in
 * .cache/prometheus/), so the spec also runs on its own.
 */
export function prometheusBinaries(): PrometheusBinaries {
  const prometheus = process.env['PROMETHEUS_BIN'];
  const promtool = process.env['PROMTOOL_BIN'];
  if (prometheus && promtool) return { prometheus, promtool };
  const script = path.join(repoRoot(), 'tools', 'dev', 'lib', 'prometheus.mjs');
  let output: string;
  try {
    output = execFileSync(process.execPath, [script], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `PROMETHEUS_BIN/PROMTOOL_BIN are not set and tools/dev/lib/prometheus.mjs could not provide Prometheus:\n${stderr}`,
    );
  }
  const lastLine = output.trim().split('\n').pop() ?? '';
  return JSON.parse(lastLine) as PrometheusBinaries;
}

/** Runs promtool; resolves with its output, rejects with it when promtool exits non-zero. */
export function promtool(binaries: PrometheusBinaries, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(binaries.promtool, args, { encoding: 'utf8' }, (error, stdout, stderr) =>
      error
        ? reject(new Error(`promtool ${args.join(' ')} failed:\n${stdout}${stderr}`))
        : resolve(`${stdout}${stderr}`),
    ),
  );
}

/** One entry of a Prometheus /api/v1/query answer. */
export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export type QueryResult = { ok: true; series: Sample[] } | { ok: false; error: string };

/** A Prometheus server on 127.0.0.1 with a data folder of its own, for one test run. */
export class PrometheusServer {
  private readonly output: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;

  constructor(
    private readonly binaries: PrometheusBinaries,
    readonly port: number,
    private readonly configFile: string,
    private readonly dataDir: string,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  start(): void {
    const child = spawn(
      this.binaries.prometheus,
      [
        `--config.file=${this.configFile}`,
        `--storage.tsdb.path=${this.dataDir}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--storage.tsdb.retention.time=1h',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 500) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    this.child = child;
  }

  async waitUntilReady(timeoutMs = 30_000): Promise<void> {
    await eventually(
      'Prometheus /-/ready to answer 200',
      async () => {
        if (this.child?.exitCode !== null) throw new Error(`Prometheus exited:\n${this.logs()}`);
        return (await fetch(`${this.baseUrl}/-/ready`)).ok ? true : undefined;
      },
      timeoutMs,
    );
  }

  /** An instant query through the HTTP API; a PromQL error is a result, not an exception. */
  async query(expr: string): Promise<QueryResult> {
    const response = await fetch(`${this.baseUrl}/api/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expr }).toString(),
    });
    const body = (await response.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: unknown };
    };
    if (body.status !== 'success' || !body.data)
      return { ok: false, error: body.error ?? `HTTP ${response.status}` };
    // A scalar or string result is one value, not a list of series.
    const result = body.data.result;
    return {
      ok: true,
      series: Array.isArray(result)
        ? (result as Sample[])
        : [{ metric: {}, value: result as [number, string] }],
    };
  }

  /** GET /api/v1/<path>, the `data` of the answer. */
  async api<T>(apiPath: string): Promise<T> {
    const body = (await (await fetch(`${this.baseUrl}/api/v1/${apiPath}`)).json()) as {
      status: string;
      data: T;
    };
    if (body.status !== 'success') throw new Error(`GET /api/v1/${apiPath}: ${JSON.stringify(body)}`);
    return body.data;
  }

  async stop(deadlineMs = 10_000): Promise<void> {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), deadlineMs).unref(),
    );
    if ((await Promise.race([this.exited, timeout])) === 'timeout') this.child.kill('SIGKILL');
  }

  logs(): string {
    return this.output.join('').split('\n').slice(-40).join('\n');
  }
}
