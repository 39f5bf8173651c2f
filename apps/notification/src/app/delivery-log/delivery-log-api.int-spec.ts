/**
 * The delivery log API as clients see it, over HTTP on 127.0.0.1, behind the same global
 * ValidationPipe as the service (the API-key guard is the subscriptions module's and is not part of
 * this module). Deliveries are made by the real worker against a real HTTP receiver and a real Postgres
 * (DATABASE_URL; the suite creates `<database>_notif_log_<random>` and drops it).
 */
import { type INestApplication, Module, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import pino from 'pino';
import { type DataSource } from 'typeorm';

import { loadConfig } from '@newsflow/config';
import { MetricsService } from '@newsflow/observability';

import { DeliveryEnvSchema } from '../delivery/delivery.config';
import { DeliveryRepository } from '../delivery/delivery.repository';
import { DeliveryWorker } from '../delivery/delivery.worker';
import {
  type Receiver,
  type TestSubscription,
  articleId,
  deliveryTestDatabase,
  insertSubscription,
  matchedPayload,
  startReceiver,
  testSigningSecrets,
  waitUntil,
} from '../delivery/testing/delivery-test-support';
import { NotificationConfigSchema } from '../notification.config';
import { DeliveriesController, SubscriptionDeliveriesController } from './deliveries.controller';
import { DeliveryLogRepository } from './delivery-log.repository';
import { type DeliveryDetailDto, type DeliveryDto, type DeliveryPageDto } from './delivery.dto';

const database = deliveryTestDatabase('notif_log');

let dataSource: DataSource;
let deliveries: DeliveryRepository;
let app: INestApplication;
let baseUrl: string;
let worker: DeliveryWorker;
let hook: Receiver;
let subscription: TestSubscription;
/** Articles whose webhooks the receiver refuses (500) until it is told otherwise. */
const refused = new Set<string>();

beforeAll(async () => {
  dataSource = await database.open();
  deliveries = new DeliveryRepository(dataSource);

  @Module({
    controllers: [SubscriptionDeliveriesController, DeliveriesController],
    providers: [DeliveryLogRepository, { provide: getDataSourceToken(), useValue: dataSource }],
  })
  class DeliveryLogTestModule {}
  app = await NestFactory.create(DeliveryLogTestModule, { logger: false });
  // The options of service-kit's runService.
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('notification').build());
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  await app.listen(0, '127.0.0.1');
  baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;

  hook = await startReceiver((_n, request) => {
    const body = JSON.parse(request.body.toString('utf8')) as { data: { article: { id: string } } };
    return refused.has(body.data.article.id) ? 500 : 204;
  }, 'thanks');
  worker = new DeliveryWorker(
    loadConfig(NotificationConfigSchema.extend(DeliveryEnvSchema.shape), {
      DATABASE_URL: database.url,
      WEBHOOK_TIMEOUT_MS: '2000',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_RETRY_SCHEDULE: '0.1',
      DELIVERY_POLL_INTERVAL_MS: '50',
      LOG_LEVEL: 'silent',
    }),
    pino({ level: 'silent' }),
    deliveries,
    testSigningSecrets,
    new MetricsService(),
  );
  worker.onApplicationBootstrap();

  // Three matches: article 1 and 3 are delivered, article 2 fails twice (the whole schedule).
  subscription = await insertSubscription(dataSource, { webhookUrl: hook.url });
  refused.add(articleId(2));
  for (const index of [1, 2, 3]) {
    await deliveries.enqueue([
      {
        subscriptionId: subscription.id,
        articleId: articleId(index),
        payload: matchedPayload(subscription.id, articleId(index)),
      },
    ]);
  }
  await waitUntil(
    async () => (await rowStatuses()).join() === 'delivered,failed,delivered',
    'two are delivered and one has failed',
  );
});

afterAll(async () => {
  await worker?.beforeApplicationShutdown();
  await app?.close();
  await hook?.close();
  await database.close();
});

async function rowStatuses(): Promise<string[]> {
  const rows: { status: string }[] = await dataSource.query(
    `SELECT status FROM notification.deliveries ORDER BY article_id`,
  );
  return rows.map((row) => row.status);
}

async function call<T>(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`, { method });
  return { status: response.status, body: (await response.json()) as T };
}

const idOf = async (index: number): Promise<string> => {
  const [row] = await dataSource.query<{ id: string }[]>(
    `SELECT id FROM notification.deliveries WHERE article_id = $1`,
    [articleId(index)],
  );
  if (!row) throw new Error(`no delivery of article ${index}`);
  return row.id;
};

describe('GET /api/subscriptions/:id/deliveries', () => {
  it('lists the deliveries newest first, with their status and attempt count', async () => {
    const { status, body } = await call<DeliveryPageDto>(
      'GET',
      `/api/subscriptions/${subscription.id}/deliveries`,
    );
    expect(status).toBe(200);
    expect(body.nextCursor).toBeNull();
    expect(body.items.map((item) => [item.articleId, item.status, item.attemptCount])).toEqual([
      [articleId(3), 'delivered', 1],
      [articleId(2), 'failed', 2],
      [articleId(1), 'delivered', 1],
    ]);
    expect(body.items[1]).toMatchObject({
      kind: 'article',
      subscriptionId: subscription.id,
      lastStatusCode: 500,
      lastError: 'receiver answered 500',
      nextAttemptAt: null,
      deliveredAt: null,
    });
  });

  it('filters by status', async () => {
    const { body } = await call<DeliveryPageDto>(
      'GET',
      `/api/subscriptions/${subscription.id}/deliveries?status=failed`,
    );
    expect(body.items.map((item) => item.articleId)).toEqual([articleId(2)]);
  });

  it('pages with a cursor (keyset): every delivery once, in order', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const query: string = cursor === null ? '' : `&cursor=${cursor}`;
      const { body } = await call<DeliveryPageDto>(
        'GET',
        `/api/subscriptions/${subscription.id}/deliveries?limit=1${query}`,
      );
      seen.push(...body.items.map((item) => String(item.articleId)));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([articleId(3), articleId(2), articleId(1)]);
  });
});

describe('GET /api/deliveries/:id', () => {
  it('shows the body and every attempt with status code, latency, error and the start of the answer', async () => {
    const { status, body } = await call<DeliveryDetailDto>('GET', `/api/deliveries/${await idOf(2)}`);
    expect(status).toBe(200);
    expect(body.payload).toEqual(expect.objectContaining({ type: 'article.matched' }));
    expect(body.attempts).toHaveLength(2);
    for (const [index, attempt] of body.attempts.entries()) {
      expect(attempt).toMatchObject({ attempt: index + 1, statusCode: 500, error: 'receiver answered 500' });
      expect(attempt.latencyMs).toEqual(expect.any(Number));
      expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);
      expect(attempt.latencyMs).toBeLessThan(2_000);
      expect(Date.parse(String(attempt.finishedAt))).toBeGreaterThanOrEqual(Date.parse(attempt.attemptedAt));
    }
  });
});

describe('redelivery', () => {
  it('POST /api/deliveries/:id/redeliver attempts the same delivery once more, without a new row', async () => {
    const failedId = await idOf(2);
    refused.delete(articleId(2));
    const { status, body } = await call<DeliveryDto>('POST', `/api/deliveries/${failedId}/redeliver`);
    expect(status).toBe(202);
    expect(body).toMatchObject({ id: failedId, status: 'pending' });

    await waitUntil(
      async () => (await rowStatuses()).join() === 'delivered,delivered,delivered',
      'it is delivered',
    );
    const detail = (await call<DeliveryDetailDto>('GET', `/api/deliveries/${failedId}`)).body;
    expect(detail.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 204]);
    expect(detail.status).toBe('delivered');
    expect(await rowStatuses()).toHaveLength(3);
    // The receiver saw the same webhook-id each time, and accepted it once.
    expect(hook.acceptedPerId().get(failedId)).toBe(1);
    expect(hook.received.filter((request) => request.webhookId === failedId)).toHaveLength(3);
  });

  it('a delivery queued already cannot be redelivered (409 saying why)', async () => {
    const [pending] = await dataSource.query<{ id: string }[]>(
      `INSERT INTO notification.deliveries (subscription_id, article_id, dedupe_key, payload, next_attempt_at)
       VALUES ($1, $2, $2, '{}', now() + interval '1 hour') RETURNING id`,
      [subscription.id, articleId(50)],
    );
    const { status, body } = await call<{ message: string }>(
      'POST',
      `/api/deliveries/${pending?.id}/redeliver`,
    );
    expect(status).toBe(409);
    expect(body.message).toMatch(/queued already \(next attempt at /);
    await dataSource.query(`DELETE FROM notification.deliveries WHERE id = $1`, [pending?.id]);
  });

  it('POST /api/subscriptions/:id/redeliver?since= attempts the failed deliveries queued since then', async () => {
    // Two failures from two days ago and two from now; only the recent ones are asked for.
    refused.add(articleId(10)).add(articleId(11)).add(articleId(12)).add(articleId(13));
    await deliveries.enqueue(
      [10, 11, 12, 13].map((index) => ({
        subscriptionId: subscription.id,
        articleId: articleId(index),
        payload: matchedPayload(subscription.id, articleId(index)),
      })),
    );
    await waitUntil(
      async () => (await rowStatuses()).filter((status) => status === 'failed').length === 4,
      'the four have failed',
    );
    await dataSource.query(
      `UPDATE notification.deliveries SET created_at = now() - interval '2 days' WHERE article_id = ANY($1)`,
      [[articleId(10), articleId(11)]],
    );
    for (const index of [10, 11, 12, 13]) refused.delete(articleId(index));

    const since = new Date(Date.now() - 24 * 3_600_000).toISOString();
    const { status, body } = await call<{ queued: number }>(
      'POST',
      `/api/subscriptions/${subscription.id}/redeliver?since=${since}`,
    );
    expect(status).toBe(202);
    expect(body).toEqual({ queued: 2 });
    await waitUntil(
      async () => (await rowStatuses()).filter((status) => status === 'delivered').length === 5,
      'the two recent ones are delivered',
    );
    const statusOf = async (index: number) =>
      (await call<DeliveryDto>('GET', `/api/deliveries/${await idOf(index)}`)).body.status;
    expect(await Promise.all([10, 11, 12, 13].map(statusOf))).toEqual([
      'failed',
      'failed',
      'delivered',
      'delivered',
    ]);
    // Asking again queues nothing: none of the recent ones has failed since.
    expect(
      (await call('POST', `/api/subscriptions/${subscription.id}/redeliver?since=${since}`)).body,
    ).toEqual({
      queued: 0,
    });
  });
});

describe('bad requests get 400 naming the parameter; unknown ids 404', () => {
  const unknown = '00000000-0000-4000-8000-000000000000';

  it.each<[string, 'GET' | 'POST', string]>([
    ['GET', 'GET', '/api/subscriptions/not-a-uuid/deliveries'],
    ['GET', 'GET', '/api/deliveries/42'],
    ['POST', 'POST', '/api/deliveries/42/redeliver'],
  ])('%s with a malformed id', async (_label, method, path) => {
    const { status, body } = await call<{ message: string }>(method, path);
    expect(status).toBe(400);
    expect(body.message).toMatch(/^id: /);
  });

  it.each<[string, string]>([
    ['status=lost', 'status'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['cursor=bm90IGEgY3Vyc29y', 'cursor'],
    ['unknown=1', 'unknown'],
  ])('GET deliveries?%s names %s', async (query, parameter) => {
    const { status, body } = await call<{ message: string | string[] }>(
      'GET',
      `/api/subscriptions/${subscription.id}/deliveries?${query}`,
    );
    expect(status).toBe(400);
    expect(([] as string[]).concat(body.message).join(' ')).toContain(parameter);
  });

  it.each<[string]>([
    [''],
    ['?since=yesterday'],
    ['?since=2026-11-20T10:00:00'],
    ['?since=2026-02-30T00:00:00Z'],
  ])('POST redeliver%s names since', async (query) => {
    const { status, body } = await call<{ message: string | string[] }>(
      'POST',
      `/api/subscriptions/${subscription.id}/redeliver${query}`,
    );
    expect(status).toBe(400);
    expect(([] as string[]).concat(body.message).join(' ')).toContain('since');
  });

  it.each<['GET' | 'POST', string]>([
    ['GET', `/api/subscriptions/${unknown}/deliveries`],
    ['POST', `/api/subscriptions/${unknown}/redeliver?since=2026-01-01T00:00:00Z`],
    ['GET', `/api/deliveries/${unknown}`],
    ['POST', `/api/deliveries/${unknown}/redeliver`],
  ])('%s %s is 404', async (method, path) => {
    expect((await call(method, path)).status).toBe(404);
  });
});

it('the OpenAPI document describes the delivery log endpoints', async () => {
  const { body } = await call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/api/docs-json');
  expect(Object.keys(body.paths)).toEqual(
    expect.arrayContaining([
      '/api/subscriptions/{id}/deliveries',
      '/api/subscriptions/{id}/redeliver',
      '/api/deliveries/{id}',
      '/api/deliveries/{id}/redeliver',
    ]),
  );
  expect(body.paths['/api/deliveries/{id}/redeliver']?.['post']).toMatchObject({
    responses: expect.objectContaining({
      '202': expect.anything(),
      '404': expect.anything(),
      '409': expect.anything(),
    }),
  });
});
