/**
 * What the notification service costs per article, outside the end-to-end benchmark: the real
 * NotificationModule on a scratch database (DATABASE_URL) and the broker (KAFKA_BROKERS), one
 * subscription matching every article, a receiver in a child process (its CPU is not counted), and
 * enriched events handed to the matching handler at a steady rate in chunks, as the Kafka transport
 * would. Reports the service's CPU and the Postgres backends' CPU per article, statements and row
 * writes per delivery, and the match-to-webhook latency.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsflow_x \
 *   npx ts-node --transpile-only -r ./tools/ts-node/register-paths.cjs \
 *     --project apps/notification/tsconfig.json apps/notification/src/app/delivery/testing/measure-delivery-cost.ts \
 *     [articles=2000] [rate=100] [chunk=10]
 *
 * Needs Postgres on this machine (backend CPU is read from /proc).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

import { Client } from 'pg';

import { type ArticleEnrichedV1, Topic } from '@newsflow/contracts';
import { type ConsumedEvent } from '@newsflow/kafka';

import { consumedEnriched, matchChunk } from '../../matching/testing/match-chunk';
import { startNotificationTestApp } from '../../subscriptions/testing/notification-test-app';

const [articles = 2000, rate = 100, chunk = 10] = process.argv.slice(2).map(Number);

/** The receiver: answers 204 and reports each webhook's latency from its match (payload timestamp). */
const RECEIVER = `
const http = require('node:http');
const latencies = [];
const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (c) => chunks.push(c));
  request.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString());
    latencies.push(Date.now() - Date.parse(body.timestamp));
    response.writeHead(204).end();
  });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'report') process.send({ latencies: latencies.splice(0) });
});
`;

/** Statements sent by any pg client of this process (TypeORM's and the prepared ones alike). */
let statements = 0;
const originalQuery = Client.prototype.query;
Client.prototype.query = function countedQuery(this: Client, ...args: unknown[]): unknown {
  statements++;
  return (originalQuery as (...args: unknown[]) => unknown).apply(this, args);
} as typeof originalQuery;

function event(id: string): ArticleEnrichedV1 {
  const text = 'President Vladimir Putin said the Duma would vote on recognising the two regions.';
  return {
    article: {
      id,
      contentHash: randomBytes(32).toString('hex'),
      publishedAt: '2022-02-22',
      lede: 'The decision was passed unanimously by MPs',
      paragraphs: [text],
      text,
      wordCount: 14,
      publisher: 'Reuters',
      source: { bucket: 'local', key: `reuters/${id}.txt`, sizeBytes: 200 },
      parserVersion: 'text/1.0.0',
      firstSeenAt: new Date().toISOString(),
      ingestedAt: new Date().toISOString(),
    },
    enrichment: {
      enrichmentVersion: 2,
      language: { code: 'en', confidence: 0.99 },
      wordCount: 14,
      readingTimeSeconds: 4,
      enrichedAt: new Date().toISOString(),
      entities: [{ name: 'Vladimir Putin', type: 'PERSON', mentions: 1, salience: 0.5, offsets: [[10, 24]] }],
      sentiment: { score: -0.1, positive: 0.1, negative: 0.2 },
    },
  };
}

/** utime + stime of a process, in ms (clock ticks of 10 ms); undefined once it has exited. */
function processCpuMs(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const receiver = spawn(process.execPath, ['-e', RECEIVER], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve) =>
    receiver.once('message', (message) => resolve((message as { port: number }).port)),
  );
  const service = await startNotificationTestApp('notif_measure', {
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_POLL_INTERVAL_MS: '500',
    LOG_LEVEL: 'silent',
  });
  try {
    const created = await service.request('/api/subscriptions', {
      method: 'POST',
      body: { name: 'everything', webhookUrl: `http://127.0.0.1:${port}/hook`, keywords: ['Putin'] },
    });
    if (created.status !== 201) throw new Error(`subscription: ${created.status}`);
    const handle = (events: ConsumedEvent<typeof Topic.ArticleEnrichedV1>[]) =>
      matchChunk(service.app, events);
    const delivered = async () => {
      const [row] = await service.dataSource.query<{ count: number }[]>(
        `SELECT count(*)::int AS count FROM notification.deliveries WHERE status = 'delivered'`,
      );
      return row?.count ?? 0;
    };
    const run = async (count: number, offset: number) => {
      const target = (await delivered()) + count;
      const started = Date.now();
      for (let sent = 0; sent < count; sent += chunk) {
        const events = Array.from({ length: Math.min(chunk, count - sent) }, (_, index) =>
          consumedEnriched(event(randomBytes(16).toString('hex')), offset + sent + index),
        );
        await handle(events);
        const due = started + ((sent + chunk) / rate) * 1000;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      while ((await delivered()) < target) await sleep(20);
    };

    await run(200, 0); // warm-up: JIT, connections, plans
    receiver.send('report');
    await new Promise((resolve) => receiver.once('message', resolve));
    await sleep(1_500);

    const tableStats = () =>
      service.dataSource.query<{ relname: string; ins: number; upd: number; hot: number }[]>(
        `SELECT relname, n_tup_ins::int AS ins, n_tup_upd::int AS upd, n_tup_hot_upd::int AS hot
         FROM pg_stat_user_tables WHERE schemaname = 'notification' ORDER BY relname`,
      );
    const backends = async () =>
      (
        await service.dataSource.query<{ pid: number }[]>(
          `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`,
        )
      ).map((row) => row.pid);
    const pgCpu = (pids: number[]) => new Map(pids.map((pid) => [pid, processCpuMs(pid)]));

    const pids = await backends();
    const before = { stats: await tableStats(), cpu: process.cpuUsage(), pg: pgCpu(pids), statements };
    await run(articles, 1_000_000);
    const cpu = process.cpuUsage(before.cpu);
    // Connections opened during the run count whole: all their CPU was spent in it. One the pool closed
    // during the run (idle too long) is missed: reported as `postgresBackendsGone`.
    const pidsAfter = [...new Set([...pids, ...(await backends())])];
    const pgAfter = pgCpu(pidsAfter);
    let pg = 0;
    let gone = 0;
    for (const [pid, cpuMs] of pgAfter) {
      if (cpuMs === undefined) gone++;
      else pg += cpuMs - (before.pg.get(pid) ?? 0);
    }
    const measuredStatements = statements - before.statements;
    await sleep(1_500); // table statistics are flushed at most once a second
    const after = await tableStats();
    receiver.send('report');
    const { latencies } = await new Promise<{ latencies: number[] }>((resolve) =>
      receiver.once('message', (message) => resolve(message as { latencies: number[] })),
    );
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))];

    const writes = after.map((row) => {
      const was = before.stats.find((entry) => entry.relname === row.relname);
      return {
        table: row.relname,
        inserts: row.ins - (was?.ins ?? 0),
        updates: row.upd - (was?.upd ?? 0),
        hotUpdates: row.hot - (was?.hot ?? 0),
      };
    });
    const perArticle = (value: number) => Math.round((value / articles) * 100) / 100;
    process.stdout.write(
      JSON.stringify(
        {
          articles,
          rate,
          chunk,
          serviceCpuMsPerArticle: perArticle((cpu.user + cpu.system) / 1000),
          postgresCpuMsPerArticle: perArticle(pg),
          postgresBackendsSampled: pidsAfter.length,
          postgresBackendsGone: gone,
          statementsPerDelivery: perArticle(measuredStatements),
          rowWritesPerDelivery: writes
            .filter((row) => row.inserts + row.updates > 0)
            .map((row) => ({
              ...row,
              inserts: perArticle(row.inserts),
              updates: perArticle(row.updates),
              hotUpdates: perArticle(row.hotUpdates),
            })),
          matchToWebhookMs: { p50: pct(0.5), p90: pct(0.9), p99: pct(0.99), max: latencies.at(-1) },
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    receiver.kill();
    await service.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error instanceof Error ? (error.stack ?? error.message) : error)}\n`);
  process.exitCode = 1;
});
