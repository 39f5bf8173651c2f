import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';

import { type DeliveryKind, type DeliveryStatus } from '../delivery/delivery-status';
import { type DeliveryPosition } from './delivery-cursor';

export interface DeliveryRow {
  id: string;
  subscriptionId: string;
  kind: DeliveryKind;
  articleId: string | null;
  storyId: string | null;
  digestId: string | null;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
  /** created_at at microsecond precision, for cursors. */
  createdKey: string;
}

export interface AttemptRow {
  attempt: number;
  attemptedAt: Date;
  finishedAt: Date | null;
  statusCode: number | null;
  latencyMs: number | null;
  error: string | null;
  responseBody: string | null;
}

export type RedeliveryResult =
  | { outcome: 'queued'; delivery: DeliveryRow }
  | { outcome: 'not_found' }
  | { outcome: 'not_redeliverable'; delivery: DeliveryRow };

const DELIVERY_COLUMNS = `
  d.id, d.subscription_id AS "subscriptionId", d.kind, d.article_id AS "articleId", d.story_id AS "storyId",
  d.digest_id AS "digestId", d.status, d.attempts, d.next_attempt_at AS "nextAttemptAt",
  d.last_attempt_at AS "lastAttemptAt", d.last_status_code AS "lastStatusCode", d.last_error AS "lastError",
  d.delivered_at AS "deliveredAt", d.created_at AS "createdAt",
  to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "createdKey"`;

/**
 * A redelivery is the same row attempted once more (same webhook-id, so receivers can tell it is not
 * new); rows of a disabled subscription wait as `held` until it is resumed.
 */
const REDELIVER_SET = `
  status = CASE WHEN s.status = 'disabled' THEN 'held' ELSE 'pending' END,
  next_attempt_at = now(),
  manual_attempt = true`;

/** Reads of the delivery log and manual redelivery, for the delivery log API. */
@Injectable()
export class DeliveryLogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async subscriptionExists(id: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM notification.subscriptions WHERE id = $1`,
      [id],
    );
    return rows.length > 0;
  }

  /** A subscription's deliveries, newest first, after `after` (keyset pagination). */
  async listForSubscription(input: {
    subscriptionId: string;
    status?: DeliveryStatus;
    after?: DeliveryPosition;
    limit: number;
  }): Promise<DeliveryRow[]> {
    const conditions = ['d.subscription_id = $1'];
    const parameters: unknown[] = [input.subscriptionId, input.limit];
    if (input.status !== undefined) {
      parameters.push(input.status);
      conditions.push(`d.status = $${parameters.length}`);
    }
    if (input.after !== undefined) {
      parameters.push(input.after.createdAt, input.after.id);
      conditions.push(
        `(d.created_at, d.id) < ($${parameters.length - 1}::timestamptz, $${parameters.length}::uuid)`,
      );
    }
    return this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM notification.deliveries d
       WHERE ${conditions.join(' AND ')}
       ORDER BY d.created_at DESC, d.id DESC
       LIMIT $2`,
      parameters,
    );
  }

  async findById(id: string): Promise<DeliveryRow | undefined> {
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM notification.deliveries d WHERE d.id = $1`,
      [id],
    );
    return rows[0];
  }

  async payloadOf(id: string): Promise<object | undefined> {
    const rows: { payload: object }[] = await this.dataSource.query(
      `SELECT payload FROM notification.deliveries WHERE id = $1`,
      [id],
    );
    return rows[0]?.payload;
  }

  async attemptsOf(deliveryId: string): Promise<AttemptRow[]> {
    return this.dataSource.query(
      `SELECT attempt, attempted_at AS "attemptedAt", finished_at AS "finishedAt", status_code AS "statusCode",
              latency_ms AS "latencyMs", error, response_body AS "responseBody"
       FROM notification.delivery_attempts WHERE delivery_id = $1 ORDER BY attempt`,
      [deliveryId],
    );
  }

  /**
   * Queues one more attempt of a failed or delivered delivery. Others are refused: pending and held ones
   * are queued already, and collected or digested matches are sent as part of a digest.
   */
  async redeliver(id: string): Promise<RedeliveryResult> {
    const updated: DeliveryRow[] = await this.dataSource.query(
      `WITH queued AS (
         UPDATE notification.deliveries d SET ${REDELIVER_SET}
         FROM notification.subscriptions s
         WHERE d.id = $1 AND s.id = d.subscription_id AND d.status IN ('failed', 'delivered')
         RETURNING d.*
       )
       SELECT ${DELIVERY_COLUMNS} FROM queued d`,
      [id],
    );
    if (updated[0]) return { outcome: 'queued', delivery: updated[0] };
    const current = await this.findById(id);
    return current ? { outcome: 'not_redeliverable', delivery: current } : { outcome: 'not_found' };
  }

  /** Queues one more attempt of each failed delivery of a subscription queued at or after `since`. */
  async redeliverFailedSince(input: { subscriptionId: string; since: Date }): Promise<number> {
    const [result] = await this.dataSource.query<{ queued: number }[]>(
      `WITH queued AS (
         UPDATE notification.deliveries d SET ${REDELIVER_SET}
         FROM notification.subscriptions s
         WHERE d.subscription_id = $1 AND s.id = d.subscription_id
           AND d.status = 'failed' AND d.created_at >= $2
         RETURNING d.id
       )
       SELECT count(*)::int AS queued FROM queued`,
      [input.subscriptionId, input.since],
    );
    return result?.queued ?? 0;
  }
}
