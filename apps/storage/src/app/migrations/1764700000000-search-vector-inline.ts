import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Keeps the full-text vector in the article's row instead of the TOAST table. Every text query reads
 * it for each candidate row (`@@` when scanning newest first, `ts_rank` for relevance), and out of line
 * each read cost a TOAST index lookup and a chunk fetch: about 4.5 buffers per row, the bulk of a
 * query's time (ranking the 39,000 matches of a common word: 320-400 ms out of line, 100-170 ms in
 * line, on 100,000 articles). STORAGE MAIN still compresses the vector and moves it out only when the
 * row would exceed a page; the other large columns (body, paragraphs, enrichment) go out first.
 *
 * Rows already stored keep their vector where it is until they are rewritten (an update of the row, or
 * `VACUUM FULL storage.articles`, which cannot run inside a migration's transaction).
 */
export class SearchVectorInline1764700000000 implements MigrationInterface {
  name = 'SearchVectorInline1764700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE storage.articles ALTER COLUMN search SET STORAGE MAIN`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE storage.articles ALTER COLUMN search SET STORAGE EXTENDED`);
  }
}
