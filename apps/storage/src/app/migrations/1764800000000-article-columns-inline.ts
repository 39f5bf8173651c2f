import { type MigrationInterface, type QueryRunner } from 'typeorm';

/** The article's columns that are not large text: they stay in the row with the full-text vector. */
const SMALL_COLUMNS = [
  'id',
  'content_hash',
  'lede',
  'source',
  'parser_version',
  'language',
  'title',
  'url',
  'author',
  'publisher',
  'declared_language',
  'story_id',
  'summary',
  'simhash',
  'source_path',
] as const;

/**
 * Completes SearchVectorInline1764700000000. Postgres's toaster moves values out of a row that is
 * larger than 2 kB, largest first, before it compresses STORAGE MAIN values: with the vector still
 * uncompressed in the row, it kept going after body, paragraphs and enrichment and moved out every
 * value over 24 bytes, the id, title and story id included. Reading an id then cost a TOAST lookup
 * (sorting 5,000 matches by id: 270,000 buffer reads instead of 5,000). With these columns MAIN too,
 * only body, paragraphs and enrichment go out of line; the rest, compressed where that helps, stays
 * in a row of about 2.5 kB.
 *
 * Rows already stored keep their layout until rewritten (`VACUUM FULL storage.articles`).
 */
export class ArticleColumnsInline1764800000000 implements MigrationInterface {
  name = 'ArticleColumnsInline1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE storage.articles ${SMALL_COLUMNS.map((column) => `ALTER COLUMN ${column} SET STORAGE MAIN`).join(', ')}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE storage.articles ${SMALL_COLUMNS.map((column) => `ALTER COLUMN ${column} SET STORAGE EXTENDED`).join(', ')}`,
    );
  }
}
