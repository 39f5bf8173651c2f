import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Delivery options of a subscription (once per story, digest window, rate limit), the endpoint's
 * failure tracking, story-level de-duplication, digests and the log of every attempt.
 */
export class DeliveryOptionsAndAttempts1764500000000 implements MigrationInterface {
  name = 'DeliveryOptionsAndAttempts1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE notification.subscriptions
        ADD COLUMN once_per_story        boolean NOT NULL DEFAULT false,
        ADD COLUMN digest_minutes        integer CHECK (digest_minutes > 0),
        ADD COLUMN rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
        ADD COLUMN failing_since         timestamptz,
        ADD COLUMN disabled_reason       text,
        ADD COLUMN disabled_at           timestamptz`);

    // A digest is a delivery without an article; the matches it bundles point at it (digest_id).
    await queryRunner.query(`
      ALTER TABLE notification.deliveries
        ADD COLUMN kind           text    NOT NULL DEFAULT 'article' CHECK (kind IN ('article', 'digest')),
        ADD COLUMN story_id       text,
        ADD COLUMN dedupe_key     text,
        ADD COLUMN digest_id      uuid    REFERENCES notification.deliveries (id) ON DELETE SET NULL,
        ADD COLUMN manual_attempt boolean NOT NULL DEFAULT false,
        ALTER COLUMN article_id DROP NOT NULL,
        ADD CONSTRAINT deliveries_article_of_kind CHECK ((kind = 'article') = (article_id IS NOT NULL))`);
    // Rows from before story-level de-duplication were all per article.
    await queryRunner.query(`UPDATE notification.deliveries SET dedupe_key = article_id`);
    await queryRunner.query(`ALTER TABLE notification.deliveries ALTER COLUMN dedupe_key SET NOT NULL`);
    // The story id of once-per-story subscriptions, the article id otherwise, `digest:<window end>` for
    // digests: one delivery per key, beside the (subscription, article) key that stays.
    await queryRunner.query(
      `CREATE UNIQUE INDEX deliveries_subscription_dedupe_key ON notification.deliveries (subscription_id, dedupe_key)`,
    );

    await queryRunner.query(`
      ALTER TABLE notification.deliveries
        DROP CONSTRAINT deliveries_status_check,
        ADD CONSTRAINT deliveries_status_check
          CHECK (status IN ('pending', 'delivered', 'failed', 'held', 'collected', 'digested'))`);
    await queryRunner.query(`DROP INDEX notification.deliveries_due`);
    await queryRunner.query(
      `CREATE INDEX deliveries_due ON notification.deliveries (next_attempt_at) WHERE status IN ('pending', 'held')`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_digest_due ON notification.deliveries (next_attempt_at) WHERE status = 'collected'`,
    );
    await queryRunner.query(
      `CREATE INDEX deliveries_log ON notification.deliveries (subscription_id, created_at DESC, id DESC)`,
    );

    // One row per attempt, written when the attempt starts (the rate limit counts them) and completed
    // with its outcome.
    await queryRunner.query(`
      CREATE TABLE notification.delivery_attempts (
        delivery_id     uuid        NOT NULL REFERENCES notification.deliveries (id) ON DELETE CASCADE,
        attempt         integer     NOT NULL,
        subscription_id uuid        NOT NULL,
        attempted_at    timestamptz NOT NULL,
        finished_at     timestamptz,
        status_code     integer,
        latency_ms      integer,
        error           text,
        response_body   text,
        PRIMARY KEY (delivery_id, attempt)
      )`);
    await queryRunner.query(
      `CREATE INDEX delivery_attempts_recent ON notification.delivery_attempts (subscription_id, attempted_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE notification.delivery_attempts`);
    await queryRunner.query(`DROP INDEX notification.deliveries_log`);
    await queryRunner.query(`DROP INDEX notification.deliveries_digest_due`);
    await queryRunner.query(`DROP INDEX notification.deliveries_due`);
    // Digests and their bundled matches have no place in the old shape.
    await queryRunner.query(
      `DELETE FROM notification.deliveries WHERE kind = 'digest' OR status = 'collected'`,
    );
    await queryRunner.query(`UPDATE notification.deliveries SET status = 'pending' WHERE status = 'held'`);
    await queryRunner.query(
      `UPDATE notification.deliveries SET status = 'delivered' WHERE status = 'digested'`,
    );
    await queryRunner.query(`
      ALTER TABLE notification.deliveries
        DROP CONSTRAINT deliveries_status_check,
        ADD CONSTRAINT deliveries_status_check CHECK (status IN ('pending', 'delivered', 'failed'))`);
    await queryRunner.query(
      `CREATE INDEX deliveries_due ON notification.deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
    await queryRunner.query(`DROP INDEX notification.deliveries_subscription_dedupe_key`);
    await queryRunner.query(`
      ALTER TABLE notification.deliveries
        DROP CONSTRAINT deliveries_article_of_kind,
        ALTER COLUMN article_id SET NOT NULL,
        DROP COLUMN manual_attempt,
        DROP COLUMN digest_id,
        DROP COLUMN dedupe_key,
        DROP COLUMN story_id,
        DROP COLUMN kind`);
    await queryRunner.query(`
      ALTER TABLE notification.subscriptions
        DROP COLUMN disabled_at,
        DROP COLUMN disabled_reason,
        DROP COLUMN failing_since,
        DROP COLUMN rate_limit_per_minute,
        DROP COLUMN digest_minutes,
        DROP COLUMN once_per_story`);
  }
}
