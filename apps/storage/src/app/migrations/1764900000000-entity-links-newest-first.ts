import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * An entity's articles newest first, straight from its links: `article_entities.published_at` (the
 * article's, which never changes: the id is derived from the content) and an index on (entity_id,
 * published_at, article_id). The entity filter of GET /api/articles reads a page of an entity's
 * articles from it instead of walking all articles newest first for the few that mention the entity,
 * or joining all of them before sorting (see ListSource in article-list.sql.ts).
 */
export class EntityLinksNewestFirst1764900000000 implements MigrationInterface {
  name = 'EntityLinksNewestFirst1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE storage.article_entities ADD COLUMN published_at timestamptz`);
    await queryRunner.query(`
      UPDATE storage.article_entities ae SET published_at = a.published_at
        FROM storage.articles a WHERE a.id = ae.article_id`);
    await queryRunner.query(`ALTER TABLE storage.article_entities ALTER COLUMN published_at SET NOT NULL`);
    await queryRunner.query(
      `CREATE INDEX article_entities_entity_newest
         ON storage.article_entities (entity_id, published_at DESC, article_id DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX storage.article_entities_entity_newest`);
    await queryRunner.query(`ALTER TABLE storage.article_entities DROP COLUMN published_at`);
  }
}
