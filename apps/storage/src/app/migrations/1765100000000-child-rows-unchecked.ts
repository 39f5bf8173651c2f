import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The tables of an article's enrichment rows, with the constraint each had on its article. */
const ARTICLE_CHILD_TABLES = [
  { table: 'article_entities', constraint: 'article_entities_article_id_fkey' },
  { table: 'article_keywords', constraint: 'article_keywords_article_id_fkey' },
  { table: 'article_quotes', constraint: 'article_quotes_article_id_fkey' },
  { table: 'article_amounts', constraint: 'article_amounts_article_id_fkey' },
  { table: 'near_duplicates', constraint: 'near_duplicates_article_id_fkey' },
] as const;

const ENTITY_LINK_CONSTRAINT = 'article_entities_entity_id_fkey';

/**
 * Drops the foreign keys of the enrichment's child rows, and keeps what they did on delete with
 * statement-level triggers.
 *
 * Postgres checks a foreign key row by row, with a query of its own per inserted row, planned again
 * each time under plan_cache_mode=force_custom_plan (see @newsflow/database for why). An article's
 * twenty-odd child rows cost about 26 checks. In the end-to-end benchmark at full speed, storing an
 * article took 1.85 ms of Postgres CPU with the constraints and 1.22 ms without them; a batch of 500
 * rich articles 890 ms against 570 ms (apps/storage/src/bench/batch-writes.bench.ts). The checks protected
 * nothing the writer does not already ensure: ArticleRepository writes child rows only for articles it
 * has just inserted or locked in the same transaction, and entities before the links to them.
 *
 * Deleting or truncating articles still takes their child rows with them, as ON DELETE CASCADE did,
 * through triggers that run once per statement over the deleted rows. Deleting an entity takes its
 * links (the constraint refused that before; nothing deletes entities).
 */
export class ChildRowsUnchecked1765100000000 implements MigrationInterface {
  name = 'ChildRowsUnchecked1765100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const { table, constraint } of ARTICLE_CHILD_TABLES) {
      await queryRunner.query(`ALTER TABLE storage.${table} DROP CONSTRAINT ${constraint}`);
    }
    await queryRunner.query(`ALTER TABLE storage.article_entities DROP CONSTRAINT ${ENTITY_LINK_CONSTRAINT}`);

    const deletes = ARTICLE_CHILD_TABLES.map(
      ({ table }) => `DELETE FROM storage.${table} WHERE article_id IN (SELECT id FROM deleted);`,
    );
    await queryRunner.query(`
      CREATE FUNCTION storage.delete_article_child_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${deletes.join('\n        ')}
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER articles_delete_child_rows AFTER DELETE ON storage.articles
        REFERENCING OLD TABLE AS deleted
        FOR EACH STATEMENT EXECUTE FUNCTION storage.delete_article_child_rows()`);

    // DELETE, not TRUNCATE: the trigger runs inside the TRUNCATE statement, which may name the child
    // tables too (the test helpers' does), and a table cannot be truncated while a statement uses it.
    await queryRunner.query(`
      CREATE FUNCTION storage.truncate_article_child_rows() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${ARTICLE_CHILD_TABLES.map(({ table }) => `DELETE FROM storage.${table};`).join('\n        ')}
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER articles_truncate_child_rows AFTER TRUNCATE ON storage.articles
        FOR EACH STATEMENT EXECUTE FUNCTION storage.truncate_article_child_rows()`);

    await queryRunner.query(`
      CREATE FUNCTION storage.delete_entity_links() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM storage.article_entities WHERE entity_id IN (SELECT id FROM deleted);
        RETURN NULL;
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER entities_delete_links AFTER DELETE ON storage.entities
        REFERENCING OLD TABLE AS deleted
        FOR EACH STATEMENT EXECUTE FUNCTION storage.delete_entity_links()`);
  }

  /** Rows whose article or entity is gone (none, unless written around the repository) are dropped first. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER entities_delete_links ON storage.entities`);
    await queryRunner.query(`DROP FUNCTION storage.delete_entity_links()`);
    await queryRunner.query(`DROP TRIGGER articles_truncate_child_rows ON storage.articles`);
    await queryRunner.query(`DROP FUNCTION storage.truncate_article_child_rows()`);
    await queryRunner.query(`DROP TRIGGER articles_delete_child_rows ON storage.articles`);
    await queryRunner.query(`DROP FUNCTION storage.delete_article_child_rows()`);

    for (const { table, constraint } of ARTICLE_CHILD_TABLES) {
      await queryRunner.query(`
        DELETE FROM storage.${table} c
         WHERE NOT EXISTS (SELECT 1 FROM storage.articles a WHERE a.id = c.article_id)`);
      await queryRunner.query(`
        ALTER TABLE storage.${table} ADD CONSTRAINT ${constraint}
          FOREIGN KEY (article_id) REFERENCES storage.articles (id) ON DELETE CASCADE`);
    }
    await queryRunner.query(`
      DELETE FROM storage.article_entities l
       WHERE NOT EXISTS (SELECT 1 FROM storage.entities e WHERE e.id = l.entity_id)`);
    await queryRunner.query(`
      ALTER TABLE storage.article_entities ADD CONSTRAINT ${ENTITY_LINK_CONSTRAINT}
        FOREIGN KEY (entity_id) REFERENCES storage.entities (id)`);
  }
}
