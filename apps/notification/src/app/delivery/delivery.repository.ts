import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';

export interface NewDelivery {
  subscriptionId: string;
  articleId: string;
  payload: object;
}

export interface DueDelivery {
  id: string;
  subscriptionId: string;
  articleId: string;
  payload: object;
  attempts: number;
  webhookUrl: string;
  signingSecret: string;
}

/** The only place that reads or writes `notification.deliveries`: the durable outbox of webhooks. */
@Injectable()
export class DeliveryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Queues deliveries; one per (subscription, article) ever, so replays and redeliveries add nothing. */
  async enqueue(deliveries: readonly NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO notification.deliveries (subscription_id, article_id, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[])
       ON CONFLICT (subscription_id, article_id) DO NOTHING
       RETURNING id`,
      [
        deliveries.map((delivery) => delivery.subscriptionId),
        deliveries.map((delivery) => delivery.articleId),
        deliveries.map((delivery) => JSON.stringify(delivery.payload)),
      ],
    );
    return rows.length;
  }

  /**
   * Claims due deliveries of active subscriptions for one attempt. The claim is a lease: the row's next attempt moves past
   * the lease, so a worker that dies mid-request leaves it to be retried, and `SKIP LOCKED` lets
   * several workers (instances) claim side by side without taking the same row.
   */
  async claimDue(input: { limit: number; leaseSeconds: number }): Promise<DueDelivery[]> {
    return this.dataSource.query(
      `WITH due AS (
         SELECT d.id FROM notification.deliveries d
         JOIN notification.subscriptions s ON s.id = d.subscription_id AND s.status = 'active'
         WHERE d.status = 'pending' AND d.next_attempt_at <= now()
         ORDER BY d.next_attempt_at
         LIMIT $1
         FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
         UPDATE notification.deliveries d
         SET attempts = d.attempts + 1,
             last_attempt_at = now(),
             next_attempt_at = now() + make_interval(secs => $2)
         FROM due WHERE d.id = due.id
         RETURNING d.id, d.subscription_id, d.article_id, d.payload, d.attempts
       )
       SELECT c.id, c.subscription_id AS "subscriptionId", c.article_id AS "articleId", c.payload, c.attempts,
              s.webhook_url AS "webhookUrl", s.signing_secret AS "signingSecret"
       FROM claimed c JOIN notification.subscriptions s ON s.id = c.subscription_id`,
      [input.limit, input.leaseSeconds],
    );
  }

  async markDelivered(input: { id: string; statusCode: number }): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification.deliveries
       SET status = 'delivered', delivered_at = now(), last_status_code = $2, last_error = NULL
       WHERE id = $1`,
      [input.id, input.statusCode],
    );
  }

  /** Records a failed attempt: scheduled again after `retryInSeconds`, or failed for good when null. */
  async markAttemptFailed(input: {
    id: string;
    statusCode?: number;
    error: string;
    retryInSeconds: number | null;
  }): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification.deliveries
       SET status = CASE WHEN $4::float8 IS NULL THEN 'failed' ELSE 'pending' END,
           next_attempt_at = CASE WHEN $4::float8 IS NULL THEN next_attempt_at ELSE now() + make_interval(secs => $4::float8) END,
           last_status_code = $2,
           last_error = $3
       WHERE id = $1`,
      [input.id, input.statusCode ?? null, input.error.slice(0, 1_000), input.retryInSeconds],
    );
  }
}
