import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Filters replace keyword lists, signing secrets are kept sealed (with previous ones during a rotation),
 * and API keys get a table.
 *
 * Existing signing secrets are marked `plain.` here rather than encrypted: a migration should not
 * depend on a secret in its environment, and the service reseals every value that is not sealed with
 * the current key right after migrating, at start (SubscriptionSecrets.resealAll), which is also how
 * a key rotation re-encrypts everything.
 */
export class SubscriptionFiltersSecretsApiKeys1764400000000 implements MigrationInterface {
  name = 'SubscriptionFiltersSecretsApiKeys1764400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A keyword list is the filter `{ version: 1, keywords }`: "any of these words or phrases".
    await queryRunner.query(`ALTER TABLE notification.subscriptions ADD COLUMN filter jsonb`);
    await queryRunner.query(
      `UPDATE notification.subscriptions SET filter = jsonb_build_object('version', 1, 'keywords', to_jsonb(keywords))`,
    );
    await queryRunner.query(`
      ALTER TABLE notification.subscriptions
        ALTER COLUMN filter SET NOT NULL,
        DROP COLUMN keywords,
        ADD COLUMN signing_secret_sealed text,
        ADD COLUMN previous_signing_secrets jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await queryRunner.query(
      `UPDATE notification.subscriptions SET signing_secret_sealed = 'plain.' || signing_secret`,
    );
    await queryRunner.query(`
      ALTER TABLE notification.subscriptions
        ALTER COLUMN signing_secret_sealed SET NOT NULL,
        DROP COLUMN signing_secret`);

    // Keys are stored as sha256 of a 256-bit random key: looked up by hash, never readable again.
    await queryRunner.query(`
      CREATE TABLE notification.api_keys (
        id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name         text        NOT NULL,
        key_hash     text        NOT NULL UNIQUE,
        key_prefix   text        NOT NULL,
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at   timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const [{ sealed }] = (await queryRunner.query(
      `SELECT count(*)::int AS sealed FROM notification.subscriptions WHERE signing_secret_sealed NOT LIKE 'plain.%'`,
    )) as [{ sealed: number }];
    if (sealed > 0) {
      throw new Error(
        `${sealed} signing secrets are encrypted; reverting would lose them (rotate them after going back instead)`,
      );
    }
    await queryRunner.query(`DROP TABLE notification.api_keys`);
    await queryRunner.query(`
      ALTER TABLE notification.subscriptions
        ADD COLUMN keywords text[],
        ADD COLUMN signing_secret text`);
    await queryRunner.query(`
      UPDATE notification.subscriptions
         SET keywords = coalesce(ARRAY(SELECT jsonb_array_elements_text(filter -> 'keywords')), '{}'),
             signing_secret = substr(signing_secret_sealed, length('plain.') + 1)`);
    await queryRunner.query(`
      ALTER TABLE notification.subscriptions
        ALTER COLUMN keywords SET NOT NULL,
        ALTER COLUMN signing_secret SET NOT NULL,
        DROP COLUMN previous_signing_secrets,
        DROP COLUMN signing_secret_sealed,
        DROP COLUMN filter`);
  }
}
