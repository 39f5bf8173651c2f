/**
 * `npm run status` against a real running service: the built enrichment service (`nx build enrichment`)
 * on the broker of KAFKA_BROKERS and a scratch database on DATABASE_URL's server, the three other
 * services absent. One article goes through it, so its metrics (end-to-end latency, lag, pool) are real.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { type ArticleIngestedV1, Topic } from '@newsflow/contracts';
import { scratchDatabase } from '@newsflow/database/testing';
import { EventPublisher, createKafkaClient, silentLogger } from '@newsflow/kafka';

import { readMetrics } from './scrape';
import { runStatus } from './status';

const ENTRY = path.join(__dirname, '../../../dist/apps/enrichment/apps/enrichment/src/main.js');
const run = randomBytes(4).toString('hex');
const database = scratchDatabase('status');
const GROUP = `status-test-${run}`;

function brokers(): string {
  const value = process.env['KAFKA_BROKERS'];
  if (!value) throw new Error('KAFKA_BROKERS is not set: this suite needs a running broker');
  return value;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Polls `probe` until it answers; `gaveUp` says why waiting on is pointless (the service exited). */
async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  gaveUp: () => string | undefined = () => undefined,
  timeoutMs = 90_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    const reason = gaveUp();
    if (reason !== undefined) throw new Error(`gave up waiting for ${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

function article(): ArticleIngestedV1 {
  const hash = randomBytes(32).toString('hex');
  const paragraphs = ['The committee met on Tuesday in Geneva to discuss the new rules for shipping.'];
  return {
    id: hash.slice(0, 32),
    contentHash: hash,
    publishedAt: '2026-11-26',
    lede: 'Shipping rules were discussed in Geneva',
    paragraphs,
    text: paragraphs.join('\n\n'),
    wordCount: 20,
    source: { bucket: 'local', key: `status-test/${run}.txt`, sizeBytes: 200 },
    parserVersion: 'test',
    // Seen two seconds ago: the end-to-end latency to enriched is at least that.
    firstSeenAt: new Date(Date.now() - 2_000).toISOString(),
    ingestedAt: new Date().toISOString(),
  };
}

describe('npm run status against a running service', () => {
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let baseUrl: string;
  const output: string[] = [];

  beforeAll(async () => {
    if (!existsSync(ENTRY))
      throw new Error(`${ENTRY} is missing: build the services first (npx nx run-many -t build)`);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    child = spawn(process.execPath, [ENTRY], {
      env: {
        ...process.env,
        PORT: String(port),
        KAFKA_BROKERS: brokers(),
        DATABASE_URL: database.urlFor(database.name),
        KAFKA_GROUP_ID: GROUP,
        // Only this suite's article: the shared topic holds other runs' messages.
        KAFKA_AUTO_OFFSET_RESET: 'latest',
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    exited = new Promise((resolve) => child.once('exit', resolve));
    await until(
      'enrichment /health to answer 200',
      async () => ((await fetch(`${baseUrl}/health`)).ok ? true : undefined),
      () => (child.exitCode === null ? undefined : `enrichment exited:\n${output.join('').slice(-4_000)}`),
    );
  }, 120_000);

  afterAll(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await database.admin(`DROP DATABASE IF EXISTS "${database.name}" WITH (FORCE)`);
  }, 30_000);

  it('shows the service up with its stage, latency, lag and pool, the absent ones down, and exits 1', async () => {
    const kafka = createKafkaClient({
      clientId: `status-test-${run}`,
      brokers: brokers().split(','),
      logger: silentLogger,
    });
    const publisher = new EventPublisher(kafka, '/status-test');
    await publisher.connect();
    try {
      const payload = article();
      await publisher.publish({ topic: Topic.ArticleIngestedV1, key: payload.id, payload });
    } finally {
      await publisher.disconnect();
    }
    await until('the article to be enriched', async () => {
      const { samples } = await readMetrics(baseUrl, 2_000);
      const count = samples.find(
        (sample) =>
          sample.name === 'newsflow_end_to_end_latency_seconds_count' && sample.labels['to'] === 'enriched',
      );
      return count && count.value >= 1 ? true : undefined;
    });

    const absent = await freePort();
    const printed: string[] = [];
    const code = await runStatus({
      argv: ['--enrichment', baseUrl, '--interval', '1', '--timeout', '3000'],
      env: {
        NEWSFLOW_INGESTION_URL: `http://127.0.0.1:${absent}`,
        NEWSFLOW_STORAGE_URL: `http://127.0.0.1:${absent}`,
        NEWSFLOW_NOTIFICATION_URL: `http://127.0.0.1:${absent}`,
      },
      out: (text) => printed.push(text),
      err: (text) => printed.push(text),
    });
    const text = printed.join('\n');
    const lines = text.split('\n');

    expect(code).toBe(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^enrichment\s+up\s+\S+( \S+)?\s+\d+ MB\s+\d+\/\d+\/\d+\s+http/),
    );
    for (const service of ['ingestion', 'storage', 'notification']) {
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^${service}\\s+down\\s.*ECONNREFUSED`)));
    }
    expect(lines).toContainEqual(expect.stringMatching(/^enrichment\s+1\s+\d+\.\d\s+1\s+0\s+0/));
    // Seen 2 s before it was published: p50 of one observation is within its bucket, 2.5 to 5 s.
    expect(lines).toContainEqual(expect.stringMatching(/^first seen → enriched\s+1\s+\d\.\d\d s/));
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${GROUP}\\s+news\\.articles\\.ingested\\.v1\\s+0\\s+0\\s+0/\\d+$`)),
    );
    expect(text).toContain('Not up: ingestion, storage, notification');

    // The lag monitor does not hold up the shutdown.
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
