/**
 * DeliveryRepository (the webhook outbox) against a real Postgres (DATABASE_URL), no Kafka. The suite
 * creates its own database `<database of DATABASE_URL>_notif_repo_<random>`, dropped in afterAll.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { type DataSource } from 'typeorm';

import { DeliveryRepository, type DueDelivery, type NewDelivery } from './delivery.repository';
import { digestWindowEnd } from './digest-window';
import {
  type DeliveryOptions,
  deliveryTestDatabase,
  insertSubscription,
} from './testing/delivery-test-support';

const database = deliveryTestDatabase('notif_repo');

/** Three "instances", each with its own connection pool, as three notification replicas would have. */
let dataSources: DataSource[] = [];
let dataSource: DataSource;
let repository: DeliveryRepository;

beforeAll(async () => {
  dataSources = [await database.open()];
  dataSources.push(...(await Promise.all([database.open(), database.open()])));
  dataSource = dataSources[0] as DataSource;
  repository = new DeliveryRepository(dataSource);
});

afterAll(async () => {
  await database.close();
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE notification.deliveries, notification.subscriptions CASCADE');
});

interface DeliveryRow {
  id: string;
  subscription_id: string;
  article_id: string | null;
  story_id: string | null;
  dedupe_key: string;
  kind: 'article' | 'digest';
  payload: object;
  status: string;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  digest_id: string | null;
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

interface AttemptLogRow {
  attempt: number;
  status_code: number | null;
  latency_ms: number | null;
  error: string | null;
  response_body: string | null;
  finished_at: Date | null;
}

async function attemptLog(deliveryId: string): Promise<AttemptLogRow[]> {
  return dataSource.query(
    `SELECT attempt, status_code, latency_ms, error, response_body, finished_at
     FROM notification.delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`,
    [deliveryId],
  );
}

async function createSubscription(name = 'watch', options: DeliveryOptions = {}) {
  return insertSubscription(dataSource, {
    name,
    webhookUrl: `https://hooks.example.org/${name}`,
    ...options,
  });
}

async function subscriptionState(id: string) {
  const [row] = await dataSource.query<
    { status: string; failing_since: Date | null; disabled_reason: string | null; disabled_at: Date | null }[]
  >(
    `SELECT status, failing_since, disabled_reason, disabled_at FROM notification.subscriptions WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error(`no subscription ${id}`);
  return row;
}

const articleId = (index: number) => index.toString(16).padStart(32, '0');

function delivery(subscriptionId: string, index: number, storyIndex?: number): NewDelivery {
  return {
    subscriptionId,
    articleId: articleId(index),
    storyId: storyIndex === undefined ? undefined : articleId(storyIndex),
    payload: { type: 'article.matched', data: { article: { id: articleId(index) }, index } },
  };
}

/** Enqueues one due delivery and claims it; returns the claimed delivery. */
async function claimOne(leaseSeconds = 60, options: DeliveryOptions = {}): Promise<DueDelivery> {
  const subscription = await createSubscription('watch', options);
  await repository.enqueue([delivery(subscription.id, 1)]);
  const [claimed] = await repository.claimDue({ limit: 10, leaseSeconds });
  if (!claimed) throw new Error('nothing was claimed');
  return claimed;
}

/** The outcome fields of an attempt of `claimed`. */
const attemptOf = (claimed: DueDelivery, latencyMs = 12) => ({
  id: claimed.id,
  subscriptionId: claimed.subscriptionId,
  attempt: claimed.attempts,
  latencyMs,
});

const failure = (
  claimed: DueDelivery,
  fields: { statusCode?: number; error: string; retryInSeconds: number | null },
) => ({
  ...attemptOf(claimed),
  ...fields,
  disableAfterHours: 120,
});

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
          kind: 'article',
          articleId: articleId(7),
          payload: delivery(subscription.id, 7).payload,
          attempts: 1,
          manual: false,
          webhookUrl: 'https://hooks.example.org/claimed',
        },
      ]);
      const row = await rowOf((claimed[0] as DueDelivery).id);
      expect(row.last_attempt_at).not.toBeNull();
      // The attempt is in the log from its start, without an outcome yet.
      expect(await attemptLog(row.id)).toEqual([
        {
          attempt: 1,
          status_code: null,
          latency_ms: null,
          error: null,
          response_body: null,
          finished_at: null,
        },
      ]);
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
        await dataSource.query('TRUNCATE notification.deliveries, notification.subscriptions CASCADE');
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
      await repository.markAttemptFailed(
        failure(claimed, { statusCode: 500, error: 'receiver answered 500', retryInSeconds: null }),
      );
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
      await repository.markAttemptFailed(
        failure(claimed, { error: 'connect ECONNREFUSED', retryInSeconds: 0.5 }),
      );

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
      await repository.markAttemptFailed(failure(claimed, { error: 'e'.repeat(5_000), retryInSeconds: 30 }));
      expect((await rowOf(claimed.id)).last_error).toHaveLength(1_000);
    });

    it('markDelivered marks it delivered, keeps the status code, clears the last error', async () => {
      const claimed = await claimOne(1);
      await repository.markAttemptFailed(
        failure(claimed, { statusCode: 503, error: 'busy', retryInSeconds: 0.1 }),
      );
      await sleep(200);
      const [retry] = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      expect(retry?.attempts).toBe(2);

      await repository.markDelivered({ ...attemptOf(retry as DueDelivery), statusCode: 204 });
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

  describe('enqueueAndClaim', () => {
    const claimAll = { limit: 100, leaseSeconds: 60 };

    it('claims the new deliveries of plain active subscriptions as it inserts them: leased, attempt 1 logged', async () => {
      const subscription = await createSubscription('plain');
      const result = await repository.enqueueAndClaim(
        [delivery(subscription.id, 1), delivery(subscription.id, 2)],
        claimAll,
      );
      expect(result.waiting).toBe(0);
      expect([...result.queued.entries()].sort()).toEqual([
        [articleId(1), 1],
        [articleId(2), 1],
      ]);
      expect(result.claimed.map((claimed) => claimed.articleId).sort()).toEqual([articleId(1), articleId(2)]);
      const [first] = result.claimed.filter((claimed) => claimed.articleId === articleId(1));
      expect(first).toEqual({
        id: expect.any(String),
        subscriptionId: subscription.id,
        kind: 'article',
        articleId: articleId(1),
        // The caller's own object, not read back.
        payload: delivery(subscription.id, 1).payload,
        attempts: 1,
        manual: false,
        webhookUrl: 'https://hooks.example.org/plain',
      });
      // The secrets to sign them with, read in the same statement (stored unsealed by the test).
      expect(result.sealedSecrets).toEqual(
        new Map([[subscription.id, { current: `plain.${subscription.signingSecret}`, previous: [] }]]),
      );
      const row = await rowOf((first as DueDelivery).id);
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row.last_attempt_at).toBeInstanceOf(Date);
      expect(row.due_in_seconds).toBeGreaterThan(55);
      expect(row.due_in_seconds).toBeLessThanOrEqual(60);
      expect(await attemptLog(row.id)).toEqual([expect.objectContaining({ attempt: 1, finished_at: null })]);
      // Leased: the poll does not take them.
      expect(await repository.claimDue({ limit: 10, leaseSeconds: 60 })).toEqual([]);
    });

    it('claims at most `limit`; the rest is queued due now, for the poll', async () => {
      const subscription = await createSubscription();
      const result = await repository.enqueueAndClaim(
        [1, 2, 3, 4, 5].map((index) => delivery(subscription.id, index)),
        { limit: 2, leaseSeconds: 60 },
      );
      // The first two in the given order.
      expect(result.claimed.map((claimed) => claimed.articleId).sort()).toEqual([articleId(1), articleId(2)]);
      expect(result.waiting).toBe(3);
      const polled = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      expect(polled.map((claimed) => claimed.articleId).sort()).toEqual([3, 4, 5].map(articleId));
    });

    it('leaves digests and rate-limited subscriptions to the poll; queues nothing for disabled or paused ones', async () => {
      const digest = await createSubscription('digest', { digestMinutes: 15 });
      const limited = await createSubscription('limited', { rateLimitPerMinute: 5 });
      const disabled = await createSubscription('disabled');
      const paused = await createSubscription('paused');
      await dataSource.query(`UPDATE notification.subscriptions SET status = 'disabled' WHERE id = $1`, [
        disabled.id,
      ]);
      await dataSource.query(`UPDATE notification.subscriptions SET status = 'paused' WHERE id = $1`, [
        paused.id,
      ]);
      const result = await repository.enqueueAndClaim(
        [digest, limited, disabled, paused].map((subscription) => delivery(subscription.id, 1)),
        claimAll,
      );
      expect(result.claimed).toEqual([]);
      expect([...result.active].sort()).toEqual([digest.id, limited.id].sort());
      // Due now: the rate-limited one.
      expect(result.waiting).toBe(1);
      const bySubscription = new Map((await rows()).map((row) => [row.subscription_id, row]));
      expect(bySubscription.get(digest.id)).toMatchObject({ status: 'collected', attempts: 0 });
      expect(bySubscription.get(limited.id)).toMatchObject({ status: 'pending', attempts: 0 });
      expect(bySubscription.has(disabled.id)).toBe(false);
      expect(bySubscription.has(paused.id)).toBe(false);
      const polled = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      expect(polled.map((claimed) => claimed.subscriptionId)).toEqual([limited.id]);
    });

    it('a delivery it has already is neither queued nor claimed again', async () => {
      const perStory = await createSubscription('per-story', { oncePerStory: true });
      await repository.enqueueAndClaim([delivery(perStory.id, 1)], claimAll);
      const again = await repository.enqueueAndClaim(
        [delivery(perStory.id, 1), delivery(perStory.id, 2, 1), delivery(perStory.id, 2, 1)],
        claimAll,
      );
      expect(again).toEqual({
        active: new Set([perStory.id]),
        queued: new Map(),
        claimed: [],
        waiting: 0,
        sealedSecrets: new Map(),
      });
      expect(await rows()).toHaveLength(1);
      expect(await repository.enqueueAndClaim([], claimAll)).toEqual({
        active: new Set(),
        queued: new Map(),
        claimed: [],
        waiting: 0,
        sealedSecrets: new Map(),
      });
    });
  });

  describe('markDeliveredMany', () => {
    it('records several answers in one call: deliveries, their attempts, and only the failing endpoints recover', async () => {
      const failing = await createSubscription('failing');
      const healthy = await createSubscription('healthy');
      const bystander = await createSubscription('bystander');
      await dataSource.query(
        `UPDATE notification.subscriptions SET failing_since = now() - interval '1 hour' WHERE id = ANY($1::uuid[])`,
        [[failing.id, bystander.id]],
      );
      const { claimed } = await repository.enqueueAndClaim(
        [
          delivery(failing.id, 1),
          delivery(failing.id, 2),
          delivery(healthy.id, 3),
          delivery(bystander.id, 4),
        ],
        { limit: 10, leaseSeconds: 60 },
      );
      const answered = claimed.filter((entry) => entry.subscriptionId !== bystander.id);
      expect(answered).toHaveLength(3);
      await repository.markDeliveredMany(
        answered.map((entry, index) => ({
          id: entry.id,
          subscriptionId: entry.subscriptionId,
          attempt: entry.attempts,
          statusCode: 200 + index,
          latencyMs: 10.4 + index,
          responseBody: index === 0 ? 'y'.repeat(3_000) : undefined,
        })),
      );

      for (const [index, entry] of answered.entries()) {
        const row = await rowOf(entry.id);
        expect(row).toMatchObject({ status: 'delivered', last_status_code: 200 + index, last_error: null });
        expect(row.delivered_at).toBeInstanceOf(Date);
        const [attempt] = await attemptLog(entry.id);
        expect(attempt).toMatchObject({
          attempt: 1,
          status_code: 200 + index,
          latency_ms: 10 + index,
          error: null,
        });
        expect(attempt?.finished_at).toBeInstanceOf(Date);
        expect(attempt?.response_body?.length ?? 0).toBe(index === 0 ? 1_000 : 0);
      }
      const waiting = claimed.find((entry) => entry.subscriptionId === bystander.id) as DueDelivery;
      expect(await rowOf(waiting.id)).toMatchObject({ status: 'pending', delivered_at: null });
      expect((await subscriptionState(failing.id)).failing_since).toBeNull();
      expect((await subscriptionState(healthy.id)).failing_since).toBeNull();
      expect((await subscriptionState(bystander.id)).failing_since).toBeInstanceOf(Date);
      await repository.markDeliveredMany([]);
    });
  });

  describe('once per story', () => {
    it('two articles of one story: one delivery for a once-per-story subscription, two for a normal one', async () => {
      const perStory = await createSubscription('per-story', { oncePerStory: true });
      const normal = await createSubscription('normal');
      // Article 2 is a near-duplicate of article 1: its story is article 1.
      const first = [delivery(perStory.id, 1), delivery(normal.id, 1)];
      const second = [delivery(perStory.id, 2, 1), delivery(normal.id, 2, 1)];
      expect(await repository.enqueue(first)).toBe(2);
      expect(await repository.enqueue(second)).toBe(1);

      const stored = await rows();
      expect(
        stored.map((row) => [row.subscription_id, row.article_id, row.story_id, row.dedupe_key]),
      ).toEqual([
        [perStory.id, articleId(1), articleId(1), articleId(1)],
        [normal.id, articleId(1), articleId(1), articleId(1)],
        [normal.id, articleId(2), articleId(1), articleId(2)],
      ]);
      // Replays of either article add nothing.
      expect(await repository.enqueue([...first, ...second])).toBe(0);
    });

    it('inside one batch, the first article of a story wins', async () => {
      const perStory = await createSubscription('per-story', { oncePerStory: true });
      expect(
        await repository.enqueue([
          delivery(perStory.id, 5, 9),
          delivery(perStory.id, 6, 9),
          delivery(perStory.id, 9),
        ]),
      ).toBe(1);
      expect((await rows()).map((row) => row.article_id)).toEqual([articleId(5)]);
    });

    it('a replay that names another story is still the same (subscription, article)', async () => {
      const normal = await createSubscription('normal');
      expect(await repository.enqueue([delivery(normal.id, 3)])).toBe(1);
      expect(await repository.enqueue([delivery(normal.id, 3, 1)])).toBe(0);
    });

    it('matches of a deleted subscription are dropped, not an error', async () => {
      const gone = await createSubscription('gone');
      await dataSource.query(`DELETE FROM notification.subscriptions WHERE id = $1`, [gone.id]);
      expect(await repository.enqueue([delivery(gone.id, 1)])).toBe(0);
    });
  });

  describe('digests', () => {
    async function collectThree(minutes = 15) {
      const subscription = await createSubscription('digest', { digestMinutes: minutes });
      const before = new Date();
      await repository.enqueue([1, 2, 3].map((index) => delivery(subscription.id, index)));
      return { subscription, before };
    }

    const closeWindows = () =>
      dataSource.query(
        `UPDATE notification.deliveries SET next_attempt_at = now() - interval '1 second' WHERE status = 'collected'`,
      );

    it('collects matches until the end of their epoch-aligned window; none is claimable alone', async () => {
      const { before } = await collectThree(15);
      const stored = await rows();
      expect(stored.map((row) => row.status)).toEqual(['collected', 'collected', 'collected']);
      const end = (stored[0] as DeliveryRow).next_attempt_at;
      // The window holding the moment of the enqueue (the test's clock is the database's, give or take).
      expect([digestWindowEnd(before, 15).getTime(), digestWindowEnd(new Date(), 15).getTime()]).toContain(
        end.getTime(),
      );
      expect(end.getTime() % (15 * 60_000)).toBe(0);
      expect(await repository.claimDue({ limit: 10, leaseSeconds: 60 })).toEqual([]);
      expect(await repository.flushDueDigests()).toBe(0);
    });

    it('a closed window becomes ONE digest delivery with every match, oldest first; a second flush adds nothing', async () => {
      const { subscription } = await collectThree(15);
      await closeWindows();
      expect(await repository.flushDueDigests()).toBe(1);
      expect(await repository.flushDueDigests()).toBe(0);

      const stored = await rows();
      const digest = stored.find((row) => row.kind === 'digest') as DeliveryRow;
      expect(digest).toMatchObject({ status: 'pending', article_id: null, subscription_id: subscription.id });
      expect(digest.dedupe_key).toMatch(/^digest:\d{4}-/);
      const matches = stored.filter((row) => row.kind === 'article');
      expect(matches.map((row) => [row.status, row.digest_id])).toEqual([
        ['digested', digest.id],
        ['digested', digest.id],
        ['digested', digest.id],
      ]);
      expect(digest.payload).toMatchObject({
        type: 'article.digest',
        data: {
          subscription: { id: subscription.id, name: 'digest' },
          count: 3,
          matches: [1, 2, 3].map((index) => ({ article: { id: articleId(index) }, index })),
        },
      });

      const [claimed] = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      expect(claimed).toMatchObject({ id: digest.id, kind: 'digest', articleId: null });
    });

    it('three instances flushing at once make one digest', async () => {
      await collectThree(15);
      await closeWindows();
      const counts = await Promise.all(
        dataSources.map((source) => new DeliveryRepository(source).flushDueDigests()),
      );
      expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1);
      expect((await rows()).filter((row) => row.kind === 'digest')).toHaveLength(1);
    });

    it('a match that reaches an already flushed window moves to the current window', async () => {
      const { subscription } = await collectThree(15);
      await closeWindows();
      await repository.flushDueDigests();
      const digestKey = (await rows()).find((row) => row.kind === 'digest')?.dedupe_key;
      // Queued into the window that was just sent (its transaction committed late).
      await repository.enqueue([delivery(subscription.id, 4)]);
      await dataSource.query(
        `UPDATE notification.deliveries SET next_attempt_at = $1 WHERE article_id = $2`,
        [new Date(String(digestKey).slice('digest:'.length)), articleId(4)],
      );
      expect(await repository.flushDueDigests()).toBe(0);
      const late = (await rows()).find((row) => row.article_id === articleId(4)) as DeliveryRow;
      expect(late.status).toBe('collected');
      expect(late.next_attempt_at.getTime()).toBe(digestWindowEnd(new Date(), 15).getTime());
    });

    it('once-per-story applies to digest matches too', async () => {
      const subscription = await createSubscription('digest', { digestMinutes: 60, oncePerStory: true });
      expect(await repository.enqueue([delivery(subscription.id, 1), delivery(subscription.id, 2, 1)])).toBe(
        1,
      );
    });
  });

  describe('the attempt log', () => {
    it('records the outcome of each attempt: status code, latency, error, the start of the answer', async () => {
      const claimed = await claimOne(1);
      await repository.markAttemptFailed({
        ...failure(claimed, { statusCode: 503, error: 'receiver answered 503', retryInSeconds: 0.1 }),
        responseBody: 'x'.repeat(5_000),
      });
      await sleep(200);
      const [retry] = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      await repository.markDelivered({
        ...attemptOf(retry as DueDelivery, 37.6),
        statusCode: 200,
        responseBody: 'ok',
      });

      const log = await attemptLog(claimed.id);
      expect(log).toEqual([
        expect.objectContaining({
          attempt: 1,
          status_code: 503,
          latency_ms: 12,
          error: 'receiver answered 503',
        }),
        expect.objectContaining({
          attempt: 2,
          status_code: 200,
          latency_ms: 38,
          error: null,
          response_body: 'ok',
        }),
      ]);
      expect(log[0]?.response_body).toHaveLength(1_000);
      expect(log.every((entry) => entry.finished_at instanceof Date)).toBe(true);
    });

    it('an attempt whose worker died is closed as abandoned when the delivery is claimed again', async () => {
      const claimed = await claimOne(1);
      await sleep(1_200);
      const [again] = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      expect(again?.attempts).toBe(2);
      const log = await attemptLog(claimed.id);
      expect(log[0]).toMatchObject({
        attempt: 1,
        status_code: null,
        error: expect.stringMatching(/no outcome/),
      });
      expect(log[0]?.finished_at).toBeInstanceOf(Date);
      expect(log[1]).toMatchObject({ attempt: 2, finished_at: null });

      // The dead worker's late failure does not overrule the newer attempt.
      const late = await repository.markAttemptFailed(
        failure(claimed, { error: 'late', retryInSeconds: 30 }),
      );
      expect(late.outcome).toBe('stale');
      expect((await rowOf(claimed.id)).due_in_seconds).toBeGreaterThan(55);
    });
  });

  describe('failing endpoints', () => {
    it('failing_since is set by the first failure after a success and cleared by a success', async () => {
      const claimed = await claimOne(1);
      await repository.markAttemptFailed(
        failure(claimed, { statusCode: 500, error: 'e1', retryInSeconds: 0.1 }),
      );
      const since = (await subscriptionState(claimed.subscriptionId)).failing_since;
      expect(since).toBeInstanceOf(Date);

      await sleep(150);
      const [second] = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      await repository.markAttemptFailed(
        failure(second as DueDelivery, { statusCode: 500, error: 'e2', retryInSeconds: 0.1 }),
      );
      expect((await subscriptionState(claimed.subscriptionId)).failing_since).toEqual(since);

      await sleep(150);
      const [third] = await repository.claimDue({ limit: 10, leaseSeconds: 60 });
      await repository.markDelivered({ ...attemptOf(third as DueDelivery), statusCode: 204 });
      expect(await subscriptionState(claimed.subscriptionId)).toMatchObject({
        status: 'active',
        failing_since: null,
      });
    });

    it('failing for longer than disableAfterHours disables the subscription and holds its deliveries', async () => {
      const subscription = await createSubscription('flaky');
      await repository.enqueue([1, 2, 3].map((index) => delivery(subscription.id, index)));
      const [claimed] = await repository.claimDue({ limit: 1, leaseSeconds: 60 });
      // Failing since five days and one hour.
      await dataSource.query(
        `UPDATE notification.subscriptions SET failing_since = now() - interval '121 hours' WHERE id = $1`,
        [subscription.id],
      );
      const result = await repository.markAttemptFailed(
        failure(claimed as DueDelivery, {
          statusCode: 503,
          error: 'receiver answered 503',
          retryInSeconds: 5,
        }),
      );
      expect(result.outcome).toBe('held');

      const state = await subscriptionState(subscription.id);
      expect(state.status).toBe('disabled');
      expect(state.disabled_at).toBeInstanceOf(Date);
      expect(state.disabled_reason).toMatch(
        /no 2xx answer since .* \(over 120 h\); last attempt: receiver answered 503 \(HTTP 503\)/,
      );
      expect((await rows()).map((row) => row.status)).toEqual(['held', 'held', 'held']);
      await dataSource.query(
        `UPDATE notification.deliveries SET next_attempt_at = now() - interval '1 minute'`,
      );
      expect(await repository.claimDue({ limit: 10, leaseSeconds: 60 })).toEqual([]);

      // Resumed by its owner: the failure history is forgotten and the held deliveries are due at once.
      expect(await repository.resumeSubscription(subscription.id)).toBe(true);
      expect(await subscriptionState(subscription.id)).toEqual({
        status: 'active',
        failing_since: null,
        disabled_reason: null,
        disabled_at: null,
      });
      expect((await rows()).map((row) => row.status)).toEqual(['pending', 'pending', 'pending']);
      expect(await repository.claimDue({ limit: 10, leaseSeconds: 60 })).toHaveLength(3);
      expect(await repository.resumeSubscription('00000000-0000-4000-8000-000000000000')).toBe(false);
    });

    it('failing for less than disableAfterHours only schedules the retry', async () => {
      const claimed = await claimOne();
      await dataSource.query(
        `UPDATE notification.subscriptions SET failing_since = now() - interval '119 hours' WHERE id = $1`,
        [claimed.subscriptionId],
      );
      const result = await repository.markAttemptFailed(
        failure(claimed, { error: 'timeout', retryInSeconds: 5 }),
      );
      expect(result).toEqual({ outcome: 'retrying', disabledReason: undefined });
      expect((await subscriptionState(claimed.subscriptionId)).status).toBe('active');
    });
  });

  describe('rate limits', () => {
    it('three instances claiming at once take at most rate_limit_per_minute; the rest wait, unlimited ones pass', async () => {
      const limited = await createSubscription('limited', { rateLimitPerMinute: 5 });
      const unlimited = await createSubscription('unlimited');
      await repository.enqueue(Array.from({ length: 12 }, (_, index) => delivery(limited.id, index)));
      // Queued later, so behind all twelve in the claim order.
      await repository.enqueue(Array.from({ length: 4 }, (_, index) => delivery(unlimited.id, 100 + index)));

      const claimers = dataSources.map((source) => new DeliveryRepository(source));
      const claimed = (
        await Promise.all(
          claimers.map(async (claimer) => {
            const taken: DueDelivery[] = [];
            for (let round = 0; round < 4; round++) {
              taken.push(...(await claimer.claimDue({ limit: 6, leaseSeconds: 60 })));
            }
            return taken;
          }),
        )
      ).flat();

      expect(claimed.filter((entry) => entry.subscriptionId === limited.id)).toHaveLength(5);
      expect(claimed.filter((entry) => entry.subscriptionId === unlimited.id)).toHaveLength(4);
      const waiting = (await rows()).filter(
        (row) => row.subscription_id === limited.id && row.attempts === 0,
      );
      expect(waiting).toHaveLength(7);
      // Not dropped: due again once the window has room.
      for (const row of waiting) {
        expect(row.status).toBe('pending');
        expect(row.due_in_seconds).toBeGreaterThan(55);
        expect(row.due_in_seconds).toBeLessThanOrEqual(60);
      }
    });

    it('the window slides: after it, the next rate_limit_per_minute are claimed', async () => {
      const limited = await createSubscription('limited', { rateLimitPerMinute: 5 });
      await repository.enqueue(Array.from({ length: 12 }, (_, index) => delivery(limited.id, index)));
      const claim = () => repository.claimDue({ limit: 20, leaseSeconds: 60, rateWindowSeconds: 0.5 });
      expect(await claim()).toHaveLength(5);
      expect(await claim()).toHaveLength(0);
      await sleep(600);
      expect(await claim()).toHaveLength(5);
      await sleep(600);
      expect(await claim()).toHaveLength(2);
    });
  });
});
