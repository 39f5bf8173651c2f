import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateSubscriptionsAndDeliveries1764100000000 implements MigrationInterface {
  name = 'CreateSubscriptionsAndDeliveries1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE notification.subscriptions (
        id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name           text        NOT NULL,
        webhook_url    text        NOT NULL,
        keywords       text[]      NOT NULL,
        signing_secret text        NOT NULL,
        status         text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'disabled')),
        created_at     timestamptz NOT NULL DEFAULT now(),
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per (subscription, article): the unique key is what makes a replay deliver nothing twice.
    await queryRunner.query(`
      CREATE TABLE notification.deliveries (
        id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id  uuid        NOT NULL REFERENCES notification.subscriptions (id) ON DELETE CASCADE,
        article_id       text        NOT NULL,
        payload          jsonb       NOT NULL,
        status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts         integer     NOT NULL DEFAULT 0,
        next_attempt_at  timestamptz NOT NULL DEFAULT now(),
        last_attempt_at  timestamptz,
        last_status_code integer,
        last_error       text,
        delivered_at     timestamptz,
        created_at       timestamptz NOT NULL DEFAULT now(),
        UNIQUE (subscription_id, article_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX deliveries_due ON notification.deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE notification.deliveries`);
    await queryRunner.query(`DROP TABLE notification.subscriptions`);
  }
}
