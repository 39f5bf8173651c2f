/**
 * DeliveryWorker end to end without Kafka: a real Postgres outbox (DATABASE_URL; the suite creates
 * `<database of DATABASE_URL>_notif_worker_<random>` and drops it in afterAll) and real HTTP receivers
 * on 127.0.0.1. Rows are enqueued through DeliveryRepository, as the matching handler does.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import pino from 'pino';
import { type DataSource } from 'typeorm';

import { loadConfig } from '@newsflow/config';
import { MetricsService } from '@newsflow/observability';

import { NotificationConfigSchema } from '../notification.config';
import { type DeliveryConfig, DeliveryEnvSchema } from './delivery.config';
import { DeliveryRepository, type NewDelivery } from './delivery.repository';
import { DeliveryWorker } from './delivery.worker';
import { generateSigningSecret } from './webhook-signature';
import {
  type Answer,
  type Receiver,
  type ReceivedRequest,
  articleId,
  deliveryTestDatabase,
  insertSubscription,
  matchedPayload,
  startReceiver,
  testSigningSecrets,
  verifiesSignature,
  waitUntil,
} from './testing/delivery-test-support';

const database = deliveryTestDatabase('notif_worker');

const RETRY_SCHEDULE = [0.2, 0.2];

const configFor = (overrides: Record<string, string> = {}): DeliveryConfig =>
  loadConfig(NotificationConfigSchema.extend(DeliveryEnvSchema.shape), {
    DATABASE_URL: database.url,
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    WEBHOOK_RETRY_SCHEDULE: RETRY_SCHEDULE.join(','),
    DELIVERY_POLL_INTERVAL_MS: '50',
    DELIVERY_BATCH_SIZE: '10',
    LOG_LEVEL: 'silent',
    ...overrides,
  });

let dataSource: DataSource;
let deliveries: DeliveryRepository;

beforeAll(async () => {
  dataSource = await database.open();
  deliveries = new DeliveryRepository(dataSource);
});

afterAll(async () => {
  await database.close();
});

// ---- workers and receivers, stopped after every test -----------------------------------------------

const running: { worker: DeliveryWorker; stopped: boolean }[] = [];
const receivers: Receiver[] = [];

interface WorkerOptions {
  config?: DeliveryConfig;
  /** Another instance's (or a restarted one's) connection pool. */
  repository?: DeliveryRepository;
  rateWindowSeconds?: number;
}

function startWorker(options: WorkerOptions = {}): {
  worker: DeliveryWorker;
  metrics: MetricsService;
  stop(): Promise<void>;
} {
  const metrics = new MetricsService();
  const worker = new DeliveryWorker(
    options.config ?? configFor(),
    pino({ level: 'silent' }),
    options.repository ?? deliveries,
    testSigningSecrets,
    metrics,
    { rateWindowSeconds: options.rateWindowSeconds },
  );
  worker.onApplicationBootstrap();
  const entry = { worker, stopped: false };
  running.push(entry);
  return {
    worker,
    metrics,
    async stop() {
      entry.stopped = true;
      await worker.beforeApplicationShutdown();
    },
  };
}

async function receiver(answer: Answer, responseBody?: string): Promise<Receiver> {
  const started = await startReceiver(answer, responseBody);
  receivers.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(
    running.splice(0).map(async (entry) => {
      if (!entry.stopped) await entry.worker.beforeApplicationShutdown();
    }),
  );
  await Promise.all(receivers.splice(0).map((started) => started.close()));
  await dataSource.query('TRUNCATE notification.deliveries, notification.subscriptions CASCADE');
});

// ---- helpers ---------------------------------------------------------------------------------------

interface DeliveryRow {
  id: string;
  article_id: string | null;
  kind: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
}

async function deliveryRows(): Promise<DeliveryRow[]> {
  return dataSource.query(
    `SELECT id, article_id, kind, status, attempts, last_status_code, last_error, delivered_at
     FROM notification.deliveries ORDER BY kind, article_id`,
  );
}

async function attemptCodes(deliveryId: string): Promise<(number | null)[]> {
  const rows: { status_code: number | null }[] = await dataSource.query(
    `SELECT status_code FROM notification.delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`,
    [deliveryId],
  );
  return rows.map((row) => row.status_code);
}

const allDelivered = async () => (await deliveryRows()).every((row) => row.status === 'delivered');

function match(subscriptionId: string, index: number, storyIndex?: number): NewDelivery {
  return {
    subscriptionId,
    articleId: articleId(index),
    storyId: storyIndex === undefined ? undefined : articleId(storyIndex),
    payload: matchedPayload(subscriptionId, articleId(index)),
  };
}

async function counterValues(metrics: MetricsService): Promise<Record<string, number>> {
  const metric = metrics.registry.getSingleMetric('newsflow_webhook_deliveries_total');
  if (!metric) throw new Error('newsflow_webhook_deliveries_total is not registered');
  const { values } = await metric.get();
  return Object.fromEntries(values.map((value) => [String(value.labels['outcome']), value.value]));
}

const statusOf = (request: ReceivedRequest) => request.answer;

// ---- tests -----------------------------------------------------------------------------------------

describe('DeliveryWorker end to end (real Postgres, real HTTP receiver)', () => {
  it('retries a receiver that fails twice, then delivers exactly once: delivered with attempts 3', async () => {
    const hook = await receiver((n) => (n <= 2 ? 500 : 204));
    const subscription = await insertSubscription(dataSource, { webhookUrl: hook.url });
    const payload = {
      type: 'article.matched',
      data: { article: { id: articleId(1), lede: 'Zürich “NATO”' } },
    };
    expect(
      await deliveries.enqueue([{ subscriptionId: subscription.id, articleId: articleId(1), payload }]),
    ).toBe(1);

    const { metrics } = startWorker();
    await waitUntil(allDelivered, 'the delivery is delivered');
    await sleep(500); // anything more would show up now

    const [row] = await deliveryRows();
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 204, last_error: null });
    expect(row?.delivered_at).toBeInstanceOf(Date);
    expect(await attemptCodes(String(row?.id))).toEqual([500, 500, 204]);

    expect(hook.received.map(statusOf)).toEqual([500, 500, 204]);
    for (const request of hook.received) {
      // Retries keep the webhook id (the receiver's idempotency key) and are correctly signed.
      expect(request.webhookId).toBe(row?.id);
      expect(verifiesSignature(subscription.signingSecret, request)).toBe(true);
      expect(JSON.parse(request.body.toString('utf8'))).toEqual(payload);
    }
    // The retries waited for the schedule (0.2 s ± 20%), not the 30 s lease.
    const gaps = hook.received.slice(1).map((request, index) => request.at - (hook.received[index]?.at ?? 0));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(150);
      expect(gap).toBeLessThan(2_000);
    }
    expect(await counterValues(metrics)).toEqual({ retrying: 2, delivered: 1 });
  });

  it('gives up on a receiver that always fails once the schedule is used up: failed, attempts = schedule + 1', async () => {
    const hook = await receiver(() => 500);
    const subscription = await insertSubscription(dataSource, { webhookUrl: hook.url });
    await deliveries.enqueue([match(subscription.id, 2)]);

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
    expect(hook.received).toHaveLength(RETRY_SCHEDULE.length + 1);
    expect(await counterValues(metrics)).toEqual({ retrying: 2, failed: 1 });
  });

  it('records an unreachable receiver as failed attempts too (nothing listening)', async () => {
    const hook = await receiver(() => 204);
    const subscription = await insertSubscription(dataSource, {
      webhookUrl: hook.url.replace(/:\d+\//, ':1/'),
    });
    await deliveries.enqueue([match(subscription.id, 3)]);
    startWorker();
    await waitUntil(async () => (await deliveryRows())[0]?.status === 'failed', 'the delivery has failed');
    const [row] = await deliveryRows();
    expect(row).toMatchObject({ attempts: 3, last_status_code: null });
    expect(row?.last_error).toMatch(/ECONNREFUSED/);
  });

  it('a receiver answering 500s, then timing out, then recovering gets each delivery exactly once', async () => {
    // Per webhook-id: 500, 500, no answer, no answer, then 204.
    const hook = await receiver((n) => (n <= 2 ? 500 : n <= 4 ? 'hang' : 204));
    const subscription = await insertSubscription(dataSource, { webhookUrl: hook.url });
    await deliveries.enqueue([1, 2, 3, 4].map((index) => match(subscription.id, index)));

    startWorker({
      config: configFor({ WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_RETRY_SCHEDULE: '0.1,0.1,0.1,0.1,0.1' }),
    });
    await waitUntil(allDelivered, 'all four are delivered', 20_000);
    await sleep(400);

    const rows = await deliveryRows();
    const accepted = hook.acceptedPerId();
    expect([...accepted.keys()].sort()).toEqual(rows.map((row) => row.id).sort());
    expect([...accepted.values()]).toEqual([1, 1, 1, 1]);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'delivered', attempts: 5 });
      expect(await attemptCodes(row.id)).toEqual([500, 500, null, null, 204]);
    }
    const errors: { error: string | null }[] = await dataSource.query(
      `SELECT error FROM notification.delivery_attempts WHERE attempt = 3`,
    );
    expect(errors.map((entry) => entry.error)).toEqual(
      Array.from({ length: 4 }, () => 'no answer within 300 ms'),
    );
  });

  it('a worker stopped mid-retry and a new one on a new connection pool lose nothing and duplicate nothing', async () => {
    const hook = await receiver((n) => (n <= 2 ? 503 : 204));
    const subscription = await insertSubscription(dataSource, { webhookUrl: hook.url });
    await deliveries.enqueue([1, 2, 3, 4, 5].map((index) => match(subscription.id, index)));

    // The first instance, with its own pool: retries are slow enough to stop it between attempts.
    const firstPool = await database.open();
    const first = startWorker({
      repository: new DeliveryRepository(firstPool),
      config: configFor({ WEBHOOK_RETRY_SCHEDULE: '0.6,0.6' }),
    });
    await waitUntil(
      async () => (await deliveryRows()).every((row) => row.attempts === 1 && row.status === 'pending'),
      'every delivery has failed once',
    );
    await first.stop();
    await firstPool.destroy();
    const attemptsAtStop = hook.received.length;
    expect(attemptsAtStop).toBe(5);

    const secondPool = await database.open();
    startWorker({
      repository: new DeliveryRepository(secondPool),
      config: configFor({ WEBHOOK_RETRY_SCHEDULE: '0.6,0.6' }),
    });
    await waitUntil(allDelivered, 'all five are delivered', 15_000);
    await sleep(500);

    const rows = await deliveryRows();
    expect(rows.map((row) => row.attempts)).toEqual([3, 3, 3, 3, 3]);
    expect([...hook.acceptedPerId().values()]).toEqual([1, 1, 1, 1, 1]);
    expect(hook.received).toHaveLength(15);
  });

  it('records a delivery whose first write lost its connection on a fresh one: the receiver gets it once', async () => {
    const hook = await receiver(() => 204);
    const subscription = await insertSubscription(dataSource, { webhookUrl: hook.url });
    await deliveries.enqueue([match(subscription.id, 1)]);

    /** The first "delivered" write dies with its connection, killed by the server (a real error). */
    class ConnectionLostOnce extends DeliveryRepository {
      lost = 0;
      override async markDeliveredMany(
        outcomes: Parameters<DeliveryRepository['markDeliveredMany']>[0],
      ): Promise<void> {
        if (this.lost === 0) {
          this.lost++;
          await pool.query('SELECT pg_terminate_backend(pg_backend_pid())');
        }
        return super.markDeliveredMany(outcomes);
      }
    }
    const pool = await database.open();
    const repository = new ConnectionLostOnce(pool);
    startWorker({ repository });
    // Without the retry the row stays pending until its lease (32 s) runs out, and is sent again.
    await waitUntil(allDelivered, 'the delivery is recorded', 6_000);
    await sleep(500);

    expect(repository.lost).toBe(1);
    expect(hook.received).toHaveLength(1);
    const [row] = await deliveryRows();
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 204 });
  });

  it('two workers side by side deliver each of 60 webhooks exactly once', async () => {
    const hook = await receiver(() => 204);
    const subs = await Promise.all(
      [1, 2, 3].map((index) => insertSubscription(dataSource, { webhookUrl: hook.url, name: `s${index}` })),
    );
    await deliveries.enqueue(
      subs.flatMap((subscription) => Array.from({ length: 20 }, (_, index) => match(subscription.id, index))),
    );

    startWorker();
    startWorker();
    await waitUntil(allDelivered, 'all 60 are delivered');
    await sleep(300);

    const ids = hook.received.map((request) => request.webhookId);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
    expect((await deliveryRows()).every((row) => row.attempts === 1)).toBe(true);
  });

  it('signs with every secret the subscription has during a rotation; without a readable one it retries', async () => {
    const hook = await receiver(() => 204);
    const rotated = await insertSubscription(dataSource, { webhookUrl: hook.url, name: 'rotated' });
    const previous = generateSigningSecret();
    testSigningSecrets.set(rotated.id, rotated.signingSecret, previous);
    const unreadable = await insertSubscription(dataSource, { webhookUrl: hook.url, name: 'unreadable' });
    testSigningSecrets.set(unreadable.id);
    await deliveries.enqueue([match(rotated.id, 1), match(unreadable.id, 2)]);

    startWorker();
    await waitUntil(async () => hook.received.length === 1, 'the rotated one is delivered');
    const [request] = hook.received as [ReceivedRequest];
    expect(String(request.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifiesSignature(rotated.signingSecret, request)).toBe(true);
    expect(verifiesSignature(previous, request)).toBe(true);

    // attempts counts up when the delivery is claimed; the failure is recorded after the attempt.
    await waitUntil(
      async () =>
        (await deliveryRows()).some((row) => row.article_id === articleId(2) && row.last_error !== null),
      'the other one was attempted and its failure recorded',
    );
    const other = (await deliveryRows()).find((row) => row.article_id === articleId(2));
    expect(other?.last_error).toBe('no signing secret could be read for the subscription');
    expect(hook.received).toHaveLength(1);
  });

  it('stops claiming after beforeApplicationShutdown, and shuts down promptly', async () => {
    const hook = await receiver(() => 204);
    const subscription = await insertSubscription(dataSource, { webhookUrl: hook.url });
    const worker = startWorker();
    await sleep(150);

    const started = Date.now();
    await worker.stop();
    expect(Date.now() - started).toBeLessThan(1_000);

    await deliveries.enqueue([match(subscription.id, 4)]);
    await sleep(300);
    expect(await deliveryRows()).toEqual([expect.objectContaining({ status: 'pending', attempts: 0 })]);
    expect(hook.received).toHaveLength(0);
  });
});

describe('delivery options end to end', () => {
  it('once per story: two articles of one story reach a once-per-story subscription once, a normal one twice; replays nothing', async () => {
    const hook = await receiver(() => 204);
    const perStory = await insertSubscription(dataSource, {
      webhookUrl: `${hook.url}?per-story`,
      oncePerStory: true,
    });
    const normal = await insertSubscription(dataSource, { webhookUrl: `${hook.url}?normal` });
    startWorker();

    // Article 2 is a near-duplicate of article 1 (story 1), arriving a moment later.
    await deliveries.enqueue([match(perStory.id, 1), match(normal.id, 1)]);
    await deliveries.enqueue([match(perStory.id, 2, 1), match(normal.id, 2, 1)]);
    await waitUntil(async () => hook.received.length >= 3 && (await allDelivered()), 'three deliveries');
    // A replay of both articles (e.g. the consumer group re-reading the topic).
    expect(
      await deliveries.enqueue([
        match(perStory.id, 1),
        match(normal.id, 1),
        match(perStory.id, 2, 1),
        match(normal.id, 2, 1),
      ]),
    ).toBe(0);
    await sleep(500);

    const articlesOf = (subscriptionId: string) =>
      hook.received
        .map((request) => JSON.parse(request.body.toString('utf8')) as ReturnType<typeof matchedPayload>)
        .filter((body) => body.data.subscription.id === subscriptionId)
        .map((body) => body.data.article.id)
        .sort();
    expect(articlesOf(perStory.id)).toEqual([articleId(1)]);
    expect(articlesOf(normal.id)).toEqual([articleId(1), articleId(2)]);
    expect(new Set(hook.received.map((request) => request.webhookId)).size).toBe(3);
  });

  it('digest: several matches within a window are sent as ONE delivery with all of them', async () => {
    const hook = await receiver(() => 204);
    const subscription = await insertSubscription(dataSource, {
      webhookUrl: hook.url,
      digestMinutes: 60,
      name: 'hourly',
    });
    const other = await insertSubscription(dataSource, {
      webhookUrl: hook.url,
      digestMinutes: 60,
      name: 'other',
    });
    const { metrics } = startWorker();
    await deliveries.enqueue([1, 2, 3].map((index) => match(subscription.id, index)));
    await deliveries.enqueue([match(other.id, 9)]);
    await sleep(300);
    // The window is still open: nothing is sent.
    expect(hook.received).toHaveLength(0);
    const queued = await metrics.registry.getSingleMetric('newsflow_webhook_deliveries_queued')?.get();
    expect(queued?.values.map((value) => [value.labels['status'], value.value])).toEqual([
      ['pending', 0],
      ['held', 0],
      ['collected', 4],
    ]);

    // Close the window (the hour passes).
    await dataSource.query(
      `UPDATE notification.deliveries SET next_attempt_at = now() - interval '1 second' WHERE status = 'collected'`,
    );
    await waitUntil(async () => hook.received.length >= 2, 'the digests arrive');
    await sleep(400);

    expect(hook.received).toHaveLength(2);
    const digests = hook.received.map((request) => ({
      request,
      body: JSON.parse(request.body.toString('utf8')) as {
        type: string;
        data: {
          subscription: { id: string; name: string };
          count: number;
          matches: { article: { id: string } }[];
        };
      },
    }));
    const mine = digests.find((entry) => entry.body.data.subscription.id === subscription.id);
    expect(mine?.body).toMatchObject({
      type: 'article.digest',
      data: { subscription: { name: 'hourly' }, count: 3 },
    });
    expect(mine?.body.data.matches.map((entry) => entry.article.id)).toEqual([1, 2, 3].map(articleId));
    expect(verifiesSignature(subscription.signingSecret, mine?.request as ReceivedRequest)).toBe(true);
    const rows = await deliveryRows();
    expect(rows.filter((row) => row.kind === 'digest').map((row) => row.status)).toEqual([
      'delivered',
      'delivered',
    ]);
    expect(rows.filter((row) => row.kind === 'article').every((row) => row.status === 'digested')).toBe(true);
  });

  it('rate limit 5 per window: no window ever has more than 5 attempts, across two workers; none is lost', async () => {
    const hook = await receiver(() => 204);
    const subscription = await insertSubscription(dataSource, {
      webhookUrl: hook.url,
      rateLimitPerMinute: 5,
    });
    await deliveries.enqueue(Array.from({ length: 13 }, (_, index) => match(subscription.id, index)));

    const started = Date.now();
    // A one-second "minute", so the test takes seconds, not minutes.
    startWorker({ rateWindowSeconds: 1 });
    startWorker({ rateWindowSeconds: 1 });
    await waitUntil(allDelivered, 'all 13 are delivered', 15_000);
    const elapsed = Date.now() - started;
    await sleep(300);

    // 13 at 5 per second: three windows, so at least two full seconds.
    expect(elapsed).toBeGreaterThanOrEqual(2_000);
    expect([...hook.acceptedPerId().values()]).toEqual(Array.from({ length: 13 }, () => 1));
    const attempts: { at: number }[] = await dataSource.query(
      `SELECT extract(epoch FROM attempted_at)::float8 * 1000 AS at FROM notification.delivery_attempts ORDER BY attempted_at`,
    );
    expect(attempts).toHaveLength(13);
    const times = attempts.map((attempt) => attempt.at);
    // Sliding window: the 6th attempt after any attempt is at least a window later.
    for (let index = 0; index + 5 < times.length; index++) {
      expect((times[index + 5] as number) - (times[index] as number)).toBeGreaterThanOrEqual(1_000);
    }
  });

  it('an endpoint failing longer than WEBHOOK_DISABLE_AFTER_HOURS is disabled; resuming sends the held deliveries', async () => {
    let recovered = false;
    const hook = await receiver(() => (recovered ? 204 : 503));
    const subscription = await insertSubscription(dataSource, { webhookUrl: hook.url });
    await deliveries.enqueue([1, 2, 3].map((index) => match(subscription.id, index)));
    // The endpoint has been failing for 49 hours (time is injected through the data).
    await dataSource.query(
      `UPDATE notification.subscriptions SET failing_since = now() - interval '49 hours' WHERE id = $1`,
      [subscription.id],
    );

    const { metrics } = startWorker({ config: configFor({ WEBHOOK_DISABLE_AFTER_HOURS: '48' }) });
    await waitUntil(
      async () => (await deliveryRows()).every((row) => row.status === 'held'),
      'the deliveries are held',
    );
    const [state] = await dataSource.query<{ status: string; disabled_reason: string; disabled_at: Date }[]>(
      `SELECT status, disabled_reason, disabled_at FROM notification.subscriptions WHERE id = $1`,
      [subscription.id],
    );
    expect(state?.status).toBe('disabled');
    expect(state?.disabled_reason).toMatch(/over 48 h.*receiver answered 503 \(HTTP 503\)/);
    expect(state?.disabled_at).toBeInstanceOf(Date);
    await sleep(500);
    // Nothing more is attempted while disabled (only the batch that was in flight at the time).
    const attemptsWhileDisabled = hook.received.length;
    expect(attemptsWhileDisabled).toBeLessThanOrEqual(3);
    await sleep(500);
    expect(hook.received).toHaveLength(attemptsWhileDisabled);
    expect((await counterValues(metrics))['held']).toBe(attemptsWhileDisabled);

    recovered = true;
    expect(await deliveries.resumeSubscription(subscription.id)).toBe(true);
    await waitUntil(allDelivered, 'the held deliveries are delivered');
    await sleep(300);
    expect([...hook.acceptedPerId().values()]).toEqual([1, 1, 1]);
  });
});

describe('DeliveryWorker hand-offs (deliveries claimed as they are queued)', () => {
  it('sends them without a poll; a poll that found no room runs as soon as one of them is done', async () => {
    const hangs = new Set([articleId(1), articleId(2)]);
    const hook = await receiver((nth, request) =>
      nth === 1 && [...hangs].some((article) => request.body.includes(article)) ? 'hang' : 204,
    );
    const subscription = await insertSubscription(dataSource, { webhookUrl: hook.url });
    const { worker } = startWorker({
      config: configFor({
        DELIVERY_MAX_IN_FLIGHT: '2',
        DELIVERY_POLL_INTERVAL_MS: '60000',
        WEBHOOK_TIMEOUT_MS: '1000',
      }),
    });
    await sleep(200); // the first poll has found nothing and pauses for a minute

    const handOff = worker.reserve(5);
    expect(handOff.limit).toBe(2);
    const queued = await deliveries.enqueueAndClaim(
      [match(subscription.id, 1), match(subscription.id, 2)],
      handOff,
    );
    handOff.start(queued.claimed, queued.sealedSecrets);
    await waitUntil(async () => hook.received.length === 2, 'both hand-offs are sent', 2_000);
    // No room left: nothing more is handed over, and the poll woken for a new delivery finds no room.
    expect(worker.reserve(1).limit).toBe(0);
    await deliveries.enqueue([match(subscription.id, 3)]);
    worker.wake();

    // The hanging requests time out after 1 s; the freed room wakes the poll well before its minute.
    await waitUntil(
      async () => hook.received.some((request) => request.body.includes(articleId(3))),
      'the third delivery is sent by the poll',
      5_000,
    );
  });
});
