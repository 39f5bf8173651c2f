import { type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateArticles1764100000000 implements MigrationInterface {
  name = 'CreateArticles1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE storage.articles (
        id                   text PRIMARY KEY,
        content_hash         text        NOT NULL,
        published_at         timestamptz NOT NULL,
        lede                 text        NOT NULL,
        paragraphs           jsonb       NOT NULL,
        body                 text        NOT NULL,
        word_count           integer     NOT NULL,
        source               jsonb       NOT NULL,
        parser_version       text        NOT NULL,
        first_seen_at        timestamptz NOT NULL,
        ingested_at          timestamptz NOT NULL,
        language             text,
        language_confidence  real,
        reading_time_seconds integer,
        enrichment_version   integer,
        enriched_at          timestamptz,
        enrichment           jsonb,
        stored_at            timestamptz NOT NULL DEFAULT now(),
        updated_at           timestamptz NOT NULL DEFAULT now()
      )`);
    // Serves "newest first" listing and its keyset pagination.
    await queryRunner.query(
      `CREATE INDEX articles_newest_first ON storage.articles (published_at DESC, id DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE storage.articles`);
  }
}
