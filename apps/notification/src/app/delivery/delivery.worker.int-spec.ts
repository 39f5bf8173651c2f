/**
 * DeliveryWorker end to end without Kafka: a real Postgres outbox (DATABASE_URL; the suite creates
 * `<database of DATABASE_URL>_notif_worker_<random>` and drops it in afterAll) and a real HTTP
 * receiver on 127.0.0.1. Rows are enqueued through DeliveryRepository, as the matching handler does.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import pino from 'pino';
import { type DataSource } from 'typeorm';

import { loadConfig } from '@newsflow/config';
import { ensureDatabaseExists, openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';
import { scratchDatabase } from '@newsflow/database/testing';
import { MetricsService } from '@newsflow/observability';

import { NOTIFICATION_MIGRATIONS } from '../migrations';
import {
  NOTIFICATION_SCHEMA,
  type NotificationConfig,
  NotificationConfigSchema,
} from '../notification.config';
import { SubscriptionEntity } from '../subscriptions/subscription.entity';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryWorker } from './delivery.worker';
import { generateSigningSecret } from './webhook-signature';

const { name: DATABASE, urlFor, admin } = scratchDatabase('notif_worker');

const RETRY_SCHEDULE = [0.2, 0.2];

const config: NotificationConfig = loadConfig(NotificationConfigSchema, {
  DATABASE_URL: urlFor(DATABASE),
  WEBHOOK_TIMEOUT_MS: '2000',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE.join(','),
  DELIVERY_POLL_INTERVAL_MS: '50',
  DELIVERY_BATCH_SIZE: '10',
  LOG_LEVEL: 'silent',
});

let dataSource: DataSource;
let deliveries: DeliveryRepository;
let subscriptions: SubscriptionRepository;

beforeAll(async () => {
  await ensureDatabaseExists(config.DATABASE_URL);
  dataSource = await openServiceDatabase(
    serviceDataSourceOptions({
      url: config.DATABASE_URL,
      schema: NOTIFICATION_SCHEMA,
      entities: [SubscriptionEntity],
      migrations: NOTIFICATION_MIGRATIONS,
      poolSize: 10,
      applicationName: 'newsflow-notification-worker-int-spec',
    }),
    NOTIFICATION_SCHEMA,
  );
  deliveries = new DeliveryRepository(dataSource);
  subscriptions = new SubscriptionRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await admin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
});

// ---- workers and receivers, stopped after every test -----------------------------------------------

const running: { worker: DeliveryWorker; stopped: boolean }[] = [];

function startWorker(): { worker: DeliveryWorker; metrics: MetricsService } {
  const metrics = new MetricsService();
  const worker = new DeliveryWorker(config, pino({ level: 'silent' }), deliveries, metrics);
  worker.onApplicationBootstrap();
  running.push({ worker, stopped: false });
  return { worker, metrics };
}

interface Received {
  headers: IncomingHttpHeaders;
  body: Buffer;
  status: number;
  at: number;
}

const servers: http.Server[] = [];

/** A receiver answering the n-th request (1-based) with status(n). */
async function startReceiver(status: (n: number) => number): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = status(received.length + 1);
      received.push({
        headers: request.headers,
        body: Buffer.concat(chunks),
        status: answer,
        at: Date.now(),
      });
      response.writeHead(answer).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

afterEach(async () => {
  await Promise.all(
    running.splice(0).map(async (entry) => {
      if (!entry.stopped) await entry.worker.beforeApplicationShutdown();
    }),
  );
  await Promise.all(
    servers.splice(0).map(
      (server) =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    ),
  );
  await dataSource.query('TRUNCATE notification.deliveries, notification.subscriptions');
});

// ---- helpers ---------------------------------------------------------------------------------------

interface DeliveryRow {
  id: string;
  article_id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
}

async function deliveryRows(): Promise<DeliveryRow[]> {
  return dataSource.query(
    `SELECT id, article_id, status, attempts, last_status_code, last_error, delivered_at
     FROM notification.deliveries ORDER BY article_id`,
  );
}

async function waitUntil(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(25);
  }
}

async function subscriptionFor(url: string, name = 'watch') {
  return subscriptions.create({
    name,
    webhookUrl: url,
    keywords: ['NATO'],
    signingSecret: generateSigningSecret(),
  });
}

function verifies(secret: string, headers: IncomingHttpHeaders, body: Buffer): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]))
    .digest();
  const actual = Buffer.from(String(headers['webhook-signature']).replace(/^v1,/, ''), 'base64');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

async function counterValues(metrics: MetricsService): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric('newsflow_webhook_deliveries_total');
  if (!metric) throw new Error('newsflow_webhook_deliveries_total is not registered');
  const { values } = await metric.get();
  return Object.fromEntries(values.map((value) => [String(value.labels['outcome']), value.value]));
}

const articleId = (index: number) => index.toString(16).padStart(32, 'a');

// ---- tests -----------------------------------------------------------------------------------------

describe('DeliveryWorker end to end (real Postgres, real HTTP receiver)', () => {
  it('retries a receiver that fails twice, then delivers exactly once: delivered with attempts 3', async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 500 : 204));
    const subscription = await subscriptionFor(receiver.url);
    const payload = {
      type: 'article.matched',
      data: { article: { id: articleId(1), lede: 'Zürich “NATO”' } },
    };
    expect(
      await deliveries.enqueue([{ subscriptionId: subscription.id, articleId: articleId(1), payload }]),
    ).toBe(1);

    const { metrics } = startWorker();
    await waitUntil(
      async () => (await deliveryRows())[0]?.status === 'delivered',
      'the delivery is delivered',
    );
    await sleep(500); // anything more would show up now

    const [row] = await deliveryRows();
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 204, last_error: null });
    expect(row?.delivered_at).toBeInstanceOf(Date);

    expect(receiver.received.map((request) => request.status)).toEqual([500, 500, 204]);
    expect(receiver.received.filter((request) => request.status === 204)).toHaveLength(1);
    for (const request of receiver.received) {
      // Retries keep the webhook id (the receiver's idempotency key) and are correctly signed.
      expect(request.headers['webhook-id']).toBe(row?.id);
      expect(verifies(subscription.signingSecret, request.headers, request.body)).toBe(true);
      expect(JSON.parse(request.body.toString('utf8'))).toEqual(payload);
    }
    // The retries waited for the schedule (0.2 s ± 20%), not the 30 s lease.
    const gaps = receiver.received
      .slice(1)
      .map((request, index) => request.at - (receiver.received[index] as Received).at);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(150);
      expect(gap).toBeLessThan(2_000);
    }
    expect(await counterValues(metrics)).toEqual({ retrying: 2, delivered: 1 });
  });

  it('gives up on a receiver that always fails once the schedule is used up: failed, attempts = schedule + 1', async () => {
    const receiver = await startReceiver(() => 500);
    const subscription = await subscriptionFor(receiver.url);
    await deliveries.enqueue([
      { subscriptionId: subscription.id, articleId: articleId(2), payload: { n: 2 } },
    ]);

    const { metrics } = startWorker();
    await waitUntil(async () => (await deliveryRows())[0]?.status === 'failed', 'the delivery has failed');
    await sleep(600);

    expect(await deliveryRows()).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: RETRY_SCHEDULE.length + 1,
        last_status_code: 500,
        last_error: 'receiver answered 500',
        delivered_at: null,
      }),
    ]);
    expect(receiver.received).toHaveLength(RETRY_SCHEDULE.length + 1);
    expect(await counterValues(metrics)).toEqual({ retrying: 2, failed: 1 });
  });

  it('records an unreachable receiver as failed attempts too (nothing listening)', async () => {
    const receiver = await startReceiver(() => 204);
    const subscription = await subscriptionFor(receiver.url.replace(/:\d+\//, ':1/'));
    await deliveries.enqueue([
      { subscriptionId: subscription.id, articleId: articleId(3), payload: { n: 3 } },
    ]);
    startWorker();
    await waitUntil(async () => (await deliveryRows())[0]?.status === 'failed', 'the delivery has failed');
    const [row] = await deliveryRows();
    expect(row).toMatchObject({ attempts: 3, last_status_code: null });
    expect(row?.last_error).toMatch(/ECONNREFUSED/);
  });

  it('two workers side by side deliver each of 60 webhooks exactly once', async () => {
    const receiver = await startReceiver(() => 204);
    const subs = await Promise.all([1, 2, 3].map((index) => subscriptionFor(receiver.url, `s${index}`)));
    await deliveries.enqueue(
      subs.flatMap((subscription) =>
        Array.from({ length: 20 }, (_, index) => ({
          subscriptionId: subscription.id,
          articleId: articleId(index),
          payload: { index },
        })),
      ),
    );

    startWorker();
    startWorker();
    await waitUntil(
      async () => (await deliveryRows()).every((row) => row.status === 'delivered'),
      'all 60 are delivered',
    );
    await sleep(300);

    const ids = receiver.received.map((request) => String(request.headers['webhook-id']));
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect((await deliveryRows()).every((row) => row.attempts === 1)).toBe(true);
  });

  it('stops claiming after beforeApplicationShutdown, and shuts down promptly', async () => {
    const receiver = await startReceiver(() => 204);
    const subscription = await subscriptionFor(receiver.url);
    const entry = startWorker();
    await sleep(150);

    const started = Date.now();
    await entry.worker.beforeApplicationShutdown();
    (running.find((candidate) => candidate.worker === entry.worker) as { stopped: boolean }).stopped = true;
    expect(Date.now() - started).toBeLessThan(1_000);

    await deliveries.enqueue([
      { subscriptionId: subscription.id, articleId: articleId(4), payload: { n: 4 } },
    ]);
    await sleep(300);
    expect(await deliveryRows()).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);
    expect(receiver.received).toHaveLength(0);
  });
});
