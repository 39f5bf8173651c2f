import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { freePort } from './environment';
import { repoRoot } from './service-process';

/**
 * Runs in a node process of its own: the broker helpers are an ES module, which the CommonJS test run
 * cannot import. It starts the broker, says READY, and stops it when told (a line on stdin) or when
 * the test process goes away (stdin ends); the helpers stop the broker when their process exits.
 */
const KEEPER = `
  const broker = await import(process.env.BROKER_MODULE);
  const handle = await broker.startBroker(JSON.parse(process.env.BROKER_OPTIONS));
  process.stdout.write('READY\\n');
  const stop = async () => {
    await handle.stop();
    process.exit(0);
  };
  process.stdin.once('data', stop);
  process.stdin.once('end', stop);
`;

/**
 * A Kafka broker of the test's own (tools/dev/lib/kafka-broker.mjs: own ports and data directory on
 * 127.0.0.1), which the test may stop and start again on the same ports with the same data, as an
 * outage. Never the shared development broker.
 */
export class PrivateBroker {
  private dir = '';
  private ports: [number, number] = [0, 0];
  private keeper: ChildProcess | undefined;
  private output = '';

  get bootstrap(): string {
    return `127.0.0.1:${this.ports[0]}`;
  }

  /** First start: fresh ports and data directory. Again after stop(): the same ports and data. */
  async start(timeoutMs = 120_000): Promise<void> {
    if (this.keeper) throw new Error('the broker is running');
    if (!this.dir) {
      this.dir = await mkdtemp(path.join(tmpdir(), 'newsflow-private-broker-'));
      this.ports = [await freePort(), await freePort()];
    }
    const options = {
      dataDir: path.join(this.dir, 'data'),
      port: this.ports[0],
      controllerPort: this.ports[1],
      logFile: path.join(this.dir, 'run', 'broker.log'),
      heap: '384m',
    };
    const keeper = spawn(process.execPath, ['--input-type=module', '-e', KEEPER], {
      cwd: repoRoot(),
      env: {
        ...process.env,
        BROKER_MODULE: pathToFileURL(path.join(repoRoot(), 'tools', 'dev', 'lib', 'kafka-broker.mjs')).href,
        BROKER_OPTIONS: JSON.stringify(options),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.keeper = keeper;
    this.output = '';
    const keep = (chunk: Buffer) => (this.output += chunk.toString('utf8'));
    keeper.stderr?.on('data', keep);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the broker did not start:\n${this.output}`)),
        timeoutMs,
      );
      keeper.stdout?.on('data', (chunk: Buffer) => {
        keep(chunk);
        if (this.output.includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      keeper.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the broker keeper exited (${code}):\n${this.output}`));
      });
    });
  }

  /** SIGTERM to this broker only, waiting until it exited. */
  async stop(): Promise<void> {
    const keeper = this.keeper;
    if (!keeper) return;
    this.keeper = undefined;
    if (keeper.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => keeper.once('exit', () => resolve()));
    keeper.stdin?.end('stop\n');
    await exited;
  }

  /** Stops the broker and deletes its data. */
  async dispose(): Promise<void> {
    await this.stop();
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = '';
  }
}
