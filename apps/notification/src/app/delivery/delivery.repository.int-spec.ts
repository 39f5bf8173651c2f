/**
 * DeliveryRepository (the webhook outbox) against a real Postgres (DATABASE_URL), no Kafka. The suite
 * creates its own database `<database of DATABASE_URL>_notif_repo_<random>`, dropped in afterAll.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { type DataSource } from 'typeorm';

import { ensureDatabaseExists, openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';
import { scratchDatabase } from '@newsflow/database/testing';

import { NOTIFICATION_MIGRATIONS } from '../migrations';
import { NOTIFICATION_SCHEMA } from '../notification.config';
import { SubscriptionEntity } from '../subscriptions/subscription.entity';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { DeliveryRepository, type DueDelivery, type NewDelivery } from './delivery.repository';
import { generateSigningSecret } from './webhook-signature';

const { name: DATABASE, urlFor, admin } = scratchDatabase('notif_repo');

const dataSourceOptions = () =>
  serviceDataSourceOptions({
    url: urlFor(DATABASE),
    schema: NOTIFICATION_SCHEMA,
    entities: [SubscriptionEntity],
    migrations: NOTIFICATION_MIGRATIONS,
    poolSize: 5,
    applicationName: 'newsflow-notification-int-spec',
  });

/** Three "instances", each with its own connection pool, as three notification replicas would have. */
let dataSources: DataSource[] = [];
let dataSource: DataSource;
let repository: DeliveryRepository;
let subscriptions: SubscriptionRepository;

beforeAll(async () => {
  await ensureDatabaseExists(urlFor(DATABASE));
  dataSources = await Promise.all(
    [1, 2, 3].map(() => openServiceDatabase(dataSourceOptions(), NOTIFICATION_SCHEMA)),
  );
  dataSource = dataSources[0] as DataSource;
  repository = new DeliveryRepository(dataSource);
  subscriptions = new SubscriptionRepository(dataSource);
});

afterAll(async () => {
  await Promise.all(dataSources.map((source) => source.destroy()));
  await admin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE notification.deliveries, notification.subscriptions');
});

interface DeliveryRow {
  id: string;
  subscription_id: string;
  article_id: string;
  payload: object;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  /** next_attempt_at - now(), in seconds, when the row was read. */
  due_in_seconds: number;
}

async function rows(): Promise<DeliveryRow[]> {
  return dataSource.query(
    `SELECT *, extract(epoch FROM next_attempt_at - now())::float8 AS due_in_seconds
     FROM notification.deliveries ORDER BY created_at, article_id`,
  );
}

async function rowOf(id: string): Promise<DeliveryRow> {
  const found = (await rows()).find((row) => row.id === id);
  if (!found) throw new Error(`no delivery ${id}`);
  return found;
}

async function createSubscription(name = 'watch') {
  return subscriptions.create({
    name,
    webhookUrl: `https://hooks.example.org/${name}`,
    keywords: ['NATO'],
    signingSecret: generateSigningSecret(),
  });
}

const articleId = (index: number) => index.toString(16).padStart(32, '0');

function delivery(subscriptionId: string, index: number): NewDelivery {
  return {
    subscriptionId,
    articleId: articleId(index),
    payload: { type: 'article.matched', data: { article: { id: articleId(index) }, index } },
  };
}

/** Enqueues one due delivery and claims it; returns the claimed delivery. */
async function claimOne(leaseSeconds = 60): Promise<DueDelivery> {
  const subscription = await createSubscription();
  await repository.enqueue([delivery(subscription.id, 1)]);
  const [claimed] = await repository.claimDue({ limit: 10, leaseSeconds });
  if (!claimed) throw new Error('nothing was claimed');
  return claimed;
}

describe('DeliveryRepository (real Postgres)', () => {
  describe('enqueue', () => {
    it('the same (subscription, article) twice gives one row; the second enqueue adds nothing', async () => {
      const subscription = await createSubscription();
      expect(await repository.enqueue([delivery(subscription.id, 1)])).toBe(1);
      expect(await repository.enqueue([delivery(subscription.id, 1)])).toBe(0);
      // A replay with a different payload (e.g. a new timestamp) is still the same delivery.
      expect(
        await repository.enqueue([
          { ...delivery(subscription.id, 1), payload: { type: 'article.matched', again: true } },
        ]),
      ).toBe(0);

      const stored = await rows();
      expect(stored).toHaveLength(1);
      expect(stored[0]).toMatchObject({
        subscription_id: subscription.id,
        article_id: articleId(1),
        payload: delivery(subscription.id, 1).payload,
        status: 'pending',
        attempts: 0,
        last_attempt_at: null,
        delivered_at: null,
      });
    });

    it('a duplicate inside one batch is stored once; other pairs are separate rows', async () => {
      const [first, second] = await Promise.all([createSubscription('a'), createSubscription('b')]);
      const count = await repository.enqueue([
        delivery(first.id, 1),
        delivery(first.id, 1),
        delivery(first.id, 2),
        delivery(second.id, 1),
      ]);
      expect(count).toBe(3);
      expect(await rows()).toHaveLength(3);
    });

    it('concurrent enqueues of the same pairs (a replay racing the original) store each pair once', async () => {
      const subscription = await createSubscription();
      const batch = Array.from({ length: 20 }, (_, index) => delivery(subscription.id, index));
      const counts = await Promise.all(
        dataSources.map((source) => new DeliveryRepository(source).enqueue(batch)),
      );
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(20);
      expect(await rows()).toHaveLength(20);
    });

    it('an empty batch is a no-op', async () => {
      expect(await repository.enqueue([])).toBe(0);
    });
  });

  describe('claimDue', () => {
    it('returns the due delivery with its subscription URL and secret, counting the attempt', async () => {
      const subscription = await createSubscription('claimed');
      await repository.enqueue([delivery(subscription.id, 7)]);
      const claimed = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      expect(claimed).toEqual([
        {
          id: expect.any(String),
          subscriptionId: subscription.id,
          articleId: articleId(7),
          payload: delivery(subscription.id, 7).payload,
          attempts: 1,
          webhookUrl: 'https://hooks.example.org/claimed',
          signingSecret: subscription.signingSecret,
        },
      ]);
      const row = await rowOf((claimed[0] as DueDelivery).id);
      expect(row.last_attempt_at).not.toBeNull();
      // Leased for 60 s.
      expect(row.due_in_seconds).toBeGreaterThan(55);
      expect(row.due_in_seconds).toBeLessThanOrEqual(60);
    });

    it('respects the limit and takes the longest-due first; rows not yet due stay', async () => {
      const subscription = await createSubscription();
      await repository.enqueue(Array.from({ length: 5 }, (_, index) => delivery(subscription.id, index)));
      // Make article 3 the most overdue and article 4 not due at all.
      await dataSource.query(
        `UPDATE notification.deliveries SET next_attempt_at = now() - interval '1 hour' WHERE article_id = $1`,
        [articleId(3)],
      );
      await dataSource.query(
        `UPDATE notification.deliveries SET next_attempt_at = now() + interval '1 hour' WHERE article_id = $1`,
        [articleId(4)],
      );

      const first = await repository.claimDue({ limit: 2, leaseSeconds: 60 });
      expect(first).toHaveLength(2);
      expect(first[0]?.articleId).toBe(articleId(3));
      const rest = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      expect(rest).toHaveLength(2);
      expect([...first, ...rest].map((claimed) => claimed.articleId)).not.toContain(articleId(4));
      expect(await repository.claimDue({ limit: 10, leaseSeconds: 60 })).toEqual([]);
    });

    it('three concurrent callers (own connection pools) never get the same row', async () => {
      for (let round = 0; round < 3; round++) {
        await dataSource.query('TRUNCATE notification.deliveries, notification.subscriptions');
        const subs = await Promise.all([1, 2, 3, 4, 5].map((index) => createSubscription(`s${index}`)));
        const batch = subs.flatMap((subscription) =>
          Array.from({ length: 10 }, (_, index) => delivery(subscription.id, index)),
        );
        expect(await repository.enqueue(batch)).toBe(50);

        const callers = dataSources.map((source) => new DeliveryRepository(source));
        const claimedBy = await Promise.all(
          callers.map(async (caller) => {
            const claimed: DueDelivery[] = [];
            for (;;) {
              const page = await caller.claimDue({ limit: 10, leaseSeconds: 60 });
              expect(page.length).toBeLessThanOrEqual(10);
              if (page.length === 0) return claimed;
              claimed.push(...page);
            }
          }),
        );

        const ids = claimedBy.flat().map((claimed) => claimed.id);
        expect(ids).toHaveLength(50);
        expect(new Set(ids).size).toBe(50);
        // Each row's attempt was counted exactly once, and nothing is left to claim.
        const stored = await rows();
        expect(stored.map((row) => row.attempts)).toEqual(Array.from({ length: 50 }, () => 1));
        expect(await repository.claimDue({ limit: 100, leaseSeconds: 60 })).toEqual([]);
      }
    });

    it('a claimed row is not claimable again until its lease (1 s) expires', async () => {
      const claimed = await claimOne(1);
      expect(claimed.attempts).toBe(1);

      expect(await repository.claimDue({ limit: 10, leaseSeconds: 1 })).toEqual([]);
      await sleep(400);
      expect(await repository.claimDue({ limit: 10, leaseSeconds: 1 })).toEqual([]);

      await sleep(900); // 1.3 s after the claim
      const again = await repository.claimDue({ limit: 10, leaseSeconds: 1 });
      expect(again.map((entry) => ({ id: entry.id, attempts: entry.attempts }))).toEqual([
        { id: claimed.id, attempts: 2 },
      ]);
    });
  });

  describe('recording outcomes', () => {
    it('markAttemptFailed with retryInSeconds null fails the delivery for good', async () => {
      const claimed = await claimOne();
      await repository.markAttemptFailed({
        id: claimed.id,
        statusCode: 500,
        error: 'receiver answered 500',
        retryInSeconds: null,
      });
      expect(await rowOf(claimed.id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        last_status_code: 500,
        last_error: 'receiver answered 500',
        delivered_at: null,
      });
      // Failed for good: never claimed again, even once its lease would have run out.
      await dataSource.query(`UPDATE notification.deliveries SET next_attempt_at = now() - interval '1 day'`);
      expect(await repository.claimDue({ limit: 10, leaseSeconds: 60 })).toEqual([]);
    });

    it('markAttemptFailed with retryInSeconds 0.5 keeps it pending and due again after ~0.5 s', async () => {
      const claimed = await claimOne();
      await repository.markAttemptFailed({
        id: claimed.id,
        error: 'connect ECONNREFUSED',
        retryInSeconds: 0.5,
      });

      const row = await rowOf(claimed.id);
      expect(row).toMatchObject({
        status: 'pending',
        attempts: 1,
        last_status_code: null,
        last_error: 'connect ECONNREFUSED',
      });
      // The retry replaces the 60 s lease.
      expect(row.due_in_seconds).toBeGreaterThan(0.2);
      expect(row.due_in_seconds).toBeLessThanOrEqual(0.5);
      expect(await repository.claimDue({ limit: 10, leaseSeconds: 60 })).toEqual([]);

      await sleep(600);
      const again = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      expect(again.map((entry) => ({ id: entry.id, attempts: entry.attempts }))).toEqual([
        { id: claimed.id, attempts: 2 },
      ]);
    });

    it('keeps at most 1000 characters of the error', async () => {
      const claimed = await claimOne();
      await repository.markAttemptFailed({ id: claimed.id, error: 'e'.repeat(5_000), retryInSeconds: 30 });
      expect((await rowOf(claimed.id)).last_error).toHaveLength(1_000);
    });

    it('markDelivered marks it delivered, keeps the status code, clears the last error', async () => {
      const claimed = await claimOne(1);
      await repository.markAttemptFailed({
        id: claimed.id,
        statusCode: 503,
        error: 'busy',
        retryInSeconds: 0.1,
      });
      await sleep(200);
      const [retry] = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      expect(retry?.attempts).toBe(2);

      await repository.markDelivered({ id: claimed.id, statusCode: 204 });
      const row = await rowOf(claimed.id);
      expect(row).toMatchObject({
        status: 'delivered',
        attempts: 2,
        last_status_code: 204,
        last_error: null,
      });
      expect(row.delivered_at).toBeInstanceOf(Date);

      await dataSource.query(`UPDATE notification.deliveries SET next_attempt_at = now() - interval '1 day'`);
      expect(await repository.claimDue({ limit: 10, leaseSeconds: 60 })).toEqual([]);
    });
  });
});
