import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';

import { preparedQuery } from '../database/prepared-query';
import { type PreviousSigningSecret } from '../subscriptions/subscription.entity';
import { type SealedSigningSecrets } from '../subscriptions/subscription.repository';
import { type DeliveryKind, MAX_LOGGED_TEXT } from './delivery-status';
import { digestWindowEndSql } from './digest-window';
import { flushDueDigests } from './digest-flush';
import { type RateLimitCandidate, reserveRateLimitedAttempts } from './rate-limit';

export interface NewDelivery {
  subscriptionId: string;
  articleId: string;
  payload: object;
  /** The story of the article (`enrichment.nearDuplicate.storyId`); the article itself when absent. */
  storyId?: string;
}

export interface DueDelivery {
  id: string;
  subscriptionId: string;
  kind: DeliveryKind;
  /** Null for digests. */
  articleId: string | null;
  payload: object;
  /** Attempts so far, this one included. */
  attempts: number;
  /** Asked for by hand (redeliver): attempted once, without the retry schedule. */
  manual: boolean;
  webhookUrl: string;
}

/** One attempt's outcome, as the delivery log keeps it. */
export interface AttemptOutcome {
  id: string;
  subscriptionId: string;
  /** The `attempts` of the claimed delivery: which attempt this was. */
  attempt: number;
  statusCode?: number;
  latencyMs: number;
  /** The start of the receiver's answer, if it was read. */
  responseBody?: string;
}

/** A 2xx answer to an attempt. */
export type DeliveredAttempt = AttemptOutcome & { statusCode: number };

export type FailedAttemptResult =
  /** `held` when the subscription is disabled; `stale` when the delivery was claimed again meanwhile. */
  { outcome: 'retrying' | 'failed' | 'held' | 'stale'; disabledReason?: string };

export interface EnqueueResult {
  /** The subscriptions of the deliveries given that are active; only theirs were queued. */
  active: Set<string>;
  /** Deliveries added per article id; articles with none are missing. */
  queued: Map<string, number>;
  /** The added deliveries claimed for the caller to attempt now (enqueueAndClaim). */
  claimed: DueDelivery[];
  /** Added deliveries that are due now but were not claimed: for the poll. */
  waiting: number;
  /** The signing secrets (sealed) of the subscriptions of `claimed`, read in the same statement. */
  sealedSecrets: Map<string, SealedSigningSecrets>;
}

/** The payload a claimed row was queued with: the caller's own object. */
function payloadFor(
  payloads: Map<string, object>,
  row: { subscriptionId: string; articleId: string },
): object {
  const payload = payloads.get(`${row.subscriptionId} ${row.articleId}`);
  if (payload === undefined)
    throw new Error(`no payload for the delivery ${row.subscriptionId}/${row.articleId}`);
  return payload;
}

const ABANDONED_ATTEMPT = 'no outcome recorded: the worker stopped or its lease ran out before an answer';

/**
 * The durable outbox of webhooks (`notification.deliveries`) and the log of their attempts
 * (`notification.delivery_attempts`), for the worker and the matching handler. Also keeps the
 * subscriptions' delivery state (`failing_since`, disabling) in step with the attempts.
 */
@Injectable()
export class DeliveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Queues matches: at most one delivery per (subscription, article), and per (subscription, story)
   * for once-per-story subscriptions, ever; so replays, redeliveries and near-duplicates add nothing.
   * Matches of digest subscriptions are collected until their window closes. Returns the rows added.
   */
  async enqueue(deliveries: readonly NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    // ON CONFLICT without a target: either unique key, (subscription, article) or (subscription,
    // dedupe_key), makes the row a duplicate.
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO notification.deliveries
         (subscription_id, article_id, story_id, dedupe_key, payload, status, next_attempt_at)
       SELECT i.subscription_id, i.article_id, i.story_id,
              CASE WHEN s.once_per_story THEN i.story_id ELSE i.article_id END,
              i.payload,
              CASE WHEN s.digest_minutes IS NOT NULL THEN 'collected'
                   WHEN s.status = 'disabled' THEN 'held'
                   ELSE 'pending' END,
              CASE WHEN s.digest_minutes IS NOT NULL THEN ${digestWindowEndSql('now()', 's.digest_minutes')}
                   ELSE now() END
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) WITH ORDINALITY
              AS i (subscription_id, article_id, story_id, payload, position)
       JOIN notification.subscriptions s ON s.id = i.subscription_id
       -- In the given order: of two articles of one story in a batch, the first is the one kept.
       ORDER BY i.position
       ON CONFLICT DO NOTHING
       RETURNING id`,
      [
        deliveries.map((delivery) => delivery.subscriptionId),
        deliveries.map((delivery) => delivery.articleId),
        deliveries.map((delivery) => delivery.storyId ?? delivery.articleId),
        deliveries.map((delivery) => JSON.stringify(delivery.payload)),
      ],
    );
    return rows.length;
  }

  /**
   * enqueue() for the matches of one chunk of articles, in one statement: only the deliveries of
   * subscriptions that are active now are queued (the matching index may be a moment behind a pause on
   * another instance: the database has the last word), and the active ones are returned.
   *
   * Up to `claim.limit` of the new deliveries are claimed in the same statement for the caller to send
   * at once: rows written already leased (attempt 1, next attempt after the lease, the attempt in the
   * log), as claimDue would leave them, without a claim transaction and a second write of each row.
   * Only deliveries the poll would claim at once qualify: without a digest window or a rate limit
   * (whose claims take turns to count the attempts); the others are queued as enqueue() queues them.
   * A caller that dies before the outcome leaves its claims to the lease, like a worker that dies
   * mid-request. The claimed ones come with their subscriptions' sealed signing secrets.
   */
  async enqueueAndClaim(
    deliveries: readonly NewDelivery[],
    claim: { limit: number; leaseSeconds: number },
  ): Promise<EnqueueResult> {
    const queued = new Map<string, number>();
    if (deliveries.length === 0) {
      return { active: new Set(), queued, claimed: [], waiting: 0, sealedSecrets: new Map() };
    }
    const rows: (
      | {
          added: true;
          id: string;
          subscriptionId: string;
          articleId: string;
          status: string;
          attempts: number;
          webhookUrl: string;
          sealedSecret: string;
          previousSecrets: PreviousSigningSecret[];
        }
      | { added: false; subscriptionId: string }
    )[] = await preparedQuery(
      this.dataSource,
      'notification.enqueue-and-claim',
      `WITH input AS (
           SELECT i.subscription_id, i.article_id, i.story_id, i.payload, i.position,
                  CASE WHEN s.once_per_story THEN i.story_id ELSE i.article_id END AS dedupe_key,
                  s.digest_minutes, s.digest_minutes IS NULL AND s.rate_limit_per_minute IS NULL AS claimable
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[]) WITH ORDINALITY
                  AS i (subscription_id, article_id, story_id, payload, position)
           JOIN notification.subscriptions s ON s.id = i.subscription_id AND s.status = 'active'
         ), chosen AS (
           SELECT *, claimable AND row_number() OVER (PARTITION BY claimable ORDER BY position) <= $5 AS claim
           FROM input
         ), inserted AS (
           INSERT INTO notification.deliveries
             (subscription_id, article_id, story_id, dedupe_key, payload, status, attempts, last_attempt_at,
              next_attempt_at)
           SELECT subscription_id, article_id, story_id, dedupe_key, payload,
                  CASE WHEN digest_minutes IS NOT NULL THEN 'collected' ELSE 'pending' END,
                  CASE WHEN claim THEN 1 ELSE 0 END,
                  CASE WHEN claim THEN now() END,
                  CASE WHEN digest_minutes IS NOT NULL THEN ${digestWindowEndSql('now()', 'digest_minutes')}
                       WHEN claim THEN now() + make_interval(secs => $6)
                       ELSE now() END
           FROM chosen
           -- In the given order: of two articles of one story in a batch, the first is the one kept.
           ORDER BY position
           ON CONFLICT DO NOTHING
           RETURNING id, subscription_id, article_id, status, attempts
         ), logged AS (
           INSERT INTO notification.delivery_attempts (delivery_id, attempt, subscription_id, attempted_at)
           SELECT id, 1, subscription_id, clock_timestamp() FROM inserted WHERE attempts = 1
         )
         SELECT true AS added, i.id, i.subscription_id AS "subscriptionId", i.article_id AS "articleId",
                i.status, i.attempts, s.webhook_url AS "webhookUrl", s.signing_secret_sealed AS "sealedSecret",
                s.previous_signing_secrets AS "previousSecrets"
         FROM inserted i JOIN notification.subscriptions s ON s.id = i.subscription_id
         -- And the active subscriptions among the matched ones, as of this statement (a replay adds no
         -- delivery, yet its matches are published again).
         UNION ALL
         SELECT false, NULL, s.id, NULL, NULL, NULL, NULL, NULL, NULL
         FROM notification.subscriptions s WHERE s.id = ANY($1::uuid[]) AND s.status = 'active'`,
      [
        deliveries.map((delivery) => delivery.subscriptionId),
        deliveries.map((delivery) => delivery.articleId),
        deliveries.map((delivery) => delivery.storyId ?? delivery.articleId),
        deliveries.map((delivery) => JSON.stringify(delivery.payload)),
        claim.limit,
        claim.leaseSeconds,
      ],
    );
    // The payloads are the caller's: not read back from the database.
    const payloadOf = new Map(
      deliveries.map((delivery) => [`${delivery.subscriptionId} ${delivery.articleId}`, delivery.payload]),
    );
    const claimed: DueDelivery[] = [];
    const sealedSecrets = new Map<string, SealedSigningSecrets>();
    let waiting = 0;
    const active = new Set<string>();
    for (const row of rows) {
      if (!row.added) {
        active.add(row.subscriptionId);
        continue;
      }
      queued.set(row.articleId, (queued.get(row.articleId) ?? 0) + 1);
      if (row.attempts === 0) {
        if (row.status === 'pending') waiting++;
        continue;
      }
      sealedSecrets.set(row.subscriptionId, { current: row.sealedSecret, previous: row.previousSecrets });
      claimed.push({
        id: row.id,
        subscriptionId: row.subscriptionId,
        kind: 'article',
        articleId: row.articleId,
        payload: payloadFor(payloadOf, row),
        attempts: row.attempts,
        manual: false,
        webhookUrl: row.webhookUrl,
      });
    }
    return { active, queued, claimed, waiting, sealedSecrets };
  }

  /** Turns the matches of closed digest windows into one digest delivery per window. */
  async flushDueDigests(input: { limit?: number } = {}): Promise<number> {
    return flushDueDigests(this.dataSource, input);
  }

  /**
   * Claims due deliveries of active subscriptions for one attempt each, within their rate limits.
   * The claim is a lease: the row's next attempt moves past the lease, so a worker that dies mid-request
   * leaves it to be retried, and `SKIP LOCKED` lets several workers (instances) claim side by side
   * without taking the same row. Each claim starts a row in the attempt log.
   */
  async claimDue(input: {
    limit: number;
    leaseSeconds: number;
    /** The "minute" of rate_limit_per_minute; shorter in tests. */
    rateWindowSeconds?: number;
  }): Promise<DueDelivery[]> {
    return this.dataSource.transaction(async (manager) => {
      const candidates: RateLimitCandidate[] = await manager.query(
        `SELECT d.id, d.subscription_id AS "subscriptionId", s.rate_limit_per_minute AS "rateLimit"
         FROM notification.deliveries d
         JOIN notification.subscriptions s ON s.id = d.subscription_id AND s.status = 'active'
         WHERE d.status IN ('pending', 'held') AND d.next_attempt_at <= now()
         ORDER BY d.next_attempt_at, d.created_at
         LIMIT $1
         FOR UPDATE OF d SKIP LOCKED`,
        [input.limit],
      );
      if (candidates.length === 0) return [];
      const ids = await reserveRateLimitedAttempts(manager, candidates, input.rateWindowSeconds ?? 60);
      if (ids.length === 0) return [];
      return this.startAttempts(manager, ids, input.leaseSeconds);
    });
  }

  private async startAttempts(manager: EntityManager, ids: string[], leaseSeconds: number) {
    await manager.query(
      `UPDATE notification.delivery_attempts
       SET finished_at = clock_timestamp(), error = $2
       WHERE delivery_id = ANY($1::uuid[]) AND finished_at IS NULL`,
      [ids, ABANDONED_ATTEMPT],
    );
    return manager.query<DueDelivery[]>(
      `WITH claimed AS (
         UPDATE notification.deliveries d
         SET attempts = d.attempts + 1,
             status = 'pending',
             last_attempt_at = now(),
             next_attempt_at = now() + make_interval(secs => $2)
         WHERE d.id = ANY($1::uuid[])
         RETURNING d.id, d.subscription_id, d.kind, d.article_id, d.payload, d.attempts, d.manual_attempt
       ), logged AS (
         INSERT INTO notification.delivery_attempts (delivery_id, attempt, subscription_id, attempted_at)
         SELECT id, attempts, subscription_id, clock_timestamp() FROM claimed
       )
       SELECT c.id, c.subscription_id AS "subscriptionId", c.kind, c.article_id AS "articleId", c.payload,
              c.attempts, c.manual_attempt AS manual, s.webhook_url AS "webhookUrl"
       FROM claimed c JOIN notification.subscriptions s ON s.id = c.subscription_id`,
      [ids, leaseSeconds],
    );
  }

  /** Records a 2xx answer: delivered for good, and the endpoint is no longer failing. */
  async markDelivered(input: DeliveredAttempt): Promise<void> {
    await this.markDeliveredMany([input]);
  }

  /**
   * markDelivered of several attempts in one statement (one transaction): the worker records together
   * the deliveries answered while its previous record was being written. Subscription rows are locked
   * after the deliveries (which they are read from), sorted by id, and only when they were failing; no
   * one waits for a delivery or attempt row while holding a subscription row (markAttemptFailed skips
   * locked deliveries when it disables), so this cannot close a cycle of waits.
   */
  async markDeliveredMany(outcomes: readonly DeliveredAttempt[]): Promise<void> {
    if (outcomes.length === 0) return;
    await preparedQuery(
      this.dataSource,
      'notification.mark-delivered-many',
      `WITH outcome AS (
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::int[], $4::int[], $5::text[])
                  AS o (id, attempt, status_code, latency_ms, response_body)
       ), delivered AS (
         UPDATE notification.deliveries d
         SET status = 'delivered', delivered_at = now(), last_status_code = o.status_code, last_error = NULL,
             manual_attempt = false
         FROM outcome o
         WHERE d.id = o.id
         RETURNING d.subscription_id
       ), finished AS (
         UPDATE notification.delivery_attempts a
         SET finished_at = clock_timestamp(), status_code = o.status_code, latency_ms = o.latency_ms,
             error = NULL, response_body = o.response_body
         FROM outcome o
         WHERE a.delivery_id = o.id AND a.attempt = o.attempt
       ), recovering AS (
         SELECT s.id FROM notification.subscriptions s
         WHERE s.id IN (SELECT subscription_id FROM delivered) AND s.failing_since IS NOT NULL
         ORDER BY s.id
         FOR UPDATE OF s
       )
       UPDATE notification.subscriptions s SET failing_since = NULL
       FROM recovering r WHERE s.id = r.id`,
      [
        outcomes.map((outcome) => outcome.id),
        outcomes.map((outcome) => outcome.attempt),
        outcomes.map((outcome) => outcome.statusCode),
        outcomes.map((outcome) => Math.round(outcome.latencyMs)),
        outcomes.map((outcome) => outcome.responseBody?.slice(0, MAX_LOGGED_TEXT) ?? null),
      ],
    );
  }

  /**
   * Records a failed attempt: the delivery is retried after `retryInSeconds`, or failed for good when
   * null. The endpoint counts as failing from its first failure after a success; once that is longer
   * ago than `disableAfterHours`, the subscription is disabled and its pending deliveries held.
   */
  async markAttemptFailed(
    input: AttemptOutcome & { error: string; retryInSeconds: number | null; disableAfterHours: number },
  ): Promise<FailedAttemptResult> {
    return this.dataSource.transaction(async (manager) => {
      const current: { status: string }[] = await manager.query(
        `SELECT status FROM notification.deliveries WHERE id = $1 AND attempts = $2 FOR UPDATE`,
        [input.id, input.attempt],
      );
      await this.finishAttempt(manager, input, input.error);
      const status = current[0]?.status;
      // Claimed again after this attempt's lease ran out, or redelivered: the newer attempt decides.
      if (status !== 'pending' && status !== 'held') return { outcome: 'stale' };

      // UPDATE ... RETURNING inside a CTE: TypeORM hands a bare UPDATE's result back as [rows, count].
      const [subscription] = await manager.query<{ status: string; failingSince: Date; overdue: boolean }[]>(
        `WITH failing AS (
           UPDATE notification.subscriptions
           SET failing_since = coalesce(failing_since, now())
           WHERE id = $1
           RETURNING status, failing_since
         )
         SELECT status, failing_since AS "failingSince",
                failing_since <= now() - make_interval(hours => $2) AS overdue
         FROM failing`,
        [input.subscriptionId, input.disableAfterHours],
      );
      const disableNow = subscription?.status === 'active' && subscription.overdue;
      const disabledReason = disableNow
        ? `no 2xx answer since ${subscription.failingSince.toISOString()} (over ${input.disableAfterHours} h); ` +
          `last attempt: ${input.error}${input.statusCode === undefined ? '' : ` (HTTP ${input.statusCode})`}`
        : undefined;
      const held = disableNow || subscription?.status === 'disabled';
      const outcome = input.retryInSeconds === null ? 'failed' : held ? 'held' : 'retrying';

      await manager.query(
        `UPDATE notification.deliveries
         SET status = $2,
             next_attempt_at = CASE WHEN $2 = 'pending' THEN now() + make_interval(secs => $3::float8)
                                    ELSE next_attempt_at END,
             last_status_code = $4,
             last_error = $5,
             manual_attempt = false
         WHERE id = $1`,
        [
          input.id,
          outcome === 'retrying' ? 'pending' : outcome,
          input.retryInSeconds,
          input.statusCode ?? null,
          input.error.slice(0, MAX_LOGGED_TEXT),
        ],
      );
      if (disabledReason !== undefined) {
        await manager.query(
          `UPDATE notification.subscriptions
           SET status = 'disabled', disabled_reason = $2, disabled_at = now(), updated_at = now()
           WHERE id = $1`,
          [input.subscriptionId, disabledReason.slice(0, MAX_LOGGED_TEXT)],
        );
        // Rows locked now are being claimed or recorded by another worker, which waits for this
        // subscription row and then finds it disabled: it holds them itself, so skip rather than wait
        // (waiting for them while holding the subscription row could deadlock).
        await manager.query(
          `UPDATE notification.deliveries SET status = 'held'
           WHERE id IN (SELECT id FROM notification.deliveries
                        WHERE subscription_id = $1 AND status = 'pending'
                        FOR UPDATE SKIP LOCKED)`,
          [input.subscriptionId],
        );
      }
      return { outcome, disabledReason };
    });
  }

  /**
   * Makes a subscription active again after it was disabled (or paused): forgets the failure history
   * and releases its held deliveries, due at once. Returns false when there is no such subscription.
   */
  async resumeSubscription(subscriptionId: string): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      // Deliveries before the subscription row: the lock order of markAttemptFailed.
      await manager.query(
        `UPDATE notification.deliveries SET status = 'pending', next_attempt_at = now()
         WHERE subscription_id = $1 AND status = 'held'`,
        [subscriptionId],
      );
      const resumed: unknown[] = await manager.query(
        `WITH resumed AS (
           UPDATE notification.subscriptions
           SET status = 'active', failing_since = NULL, disabled_reason = NULL, disabled_at = NULL,
               updated_at = now()
           WHERE id = $1
           RETURNING id
         )
         SELECT id FROM resumed`,
        [subscriptionId],
      );
      return resumed.length > 0;
    });
  }

  /** Deliveries not yet sent, by status, for the queue gauge. */
  async countQueued(): Promise<{ status: 'pending' | 'held' | 'collected'; count: number }[]> {
    return this.dataSource.query(
      `SELECT status, count(*)::int AS count FROM notification.deliveries
       WHERE status IN ('pending', 'held', 'collected') GROUP BY status`,
    );
  }

  private async finishAttempt(manager: EntityManager, outcome: AttemptOutcome, error: string | null) {
    await manager.query(
      `UPDATE notification.delivery_attempts
       SET finished_at = clock_timestamp(), status_code = $3, latency_ms = $4, error = $5, response_body = $6
       WHERE delivery_id = $1 AND attempt = $2`,
      [
        outcome.id,
        outcome.attempt,
        outcome.statusCode ?? null,
        Math.round(outcome.latencyMs),
        error?.slice(0, MAX_LOGGED_TEXT) ?? null,
        outcome.responseBody?.slice(0, MAX_LOGGED_TEXT) ?? null,
      ],
    );
  }
}
