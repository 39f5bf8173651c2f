import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateIngestLedger1764200000000 implements MigrationInterface {
  name = 'CreateIngestLedger1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // One row per object version (bucket, key, etag): a changed object is a new version and is read
    // again; the same version is processed once, whatever the number of events, restarts or instances.
    await queryRunner.query(`
      CREATE TABLE ingestion.objects (
        bucket             text        NOT NULL,
        key                text        NOT NULL,
        etag               text        NOT NULL,
        size_bytes         bigint      NOT NULL,
        status             text        NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'processing', 'done', 'rejected')),
        attempts           integer     NOT NULL DEFAULT 0,
        lease_until        timestamptz,
        last_error         text,
        article_ids        text[]      NOT NULL DEFAULT '{}',
        articles_published integer     NOT NULL DEFAULT 0,
        duplicates         integer     NOT NULL DEFAULT 0,
        records_rejected   integer     NOT NULL DEFAULT 0,
        rejection_code     text,
        kept_at            text,
        first_seen_at      timestamptz NOT NULL DEFAULT now(),
        completed_at       timestamptz,
        updated_at         timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (bucket, key, etag)
      )`);
    await queryRunner.query(
      `CREATE INDEX objects_unfinished ON ingestion.objects (lease_until) WHERE status IN ('pending', 'processing')`,
    );
    // Content already published, so an exact duplicate (same normalized content) is not sent again.
    await queryRunner.query(`
      CREATE TABLE ingestion.published_content (
        content_hash  text PRIMARY KEY,
        article_id    text        NOT NULL,
        bucket        text        NOT NULL,
        key           text        NOT NULL,
        published_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ingestion.published_content`);
    await queryRunner.query(`DROP TABLE ingestion.objects`);
  }
}
