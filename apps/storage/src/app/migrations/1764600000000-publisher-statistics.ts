import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * Statistics on `lower(publisher)`, the expression the publisher filter compares. Without them the
 * planner takes the default 0.5% selectivity for the equality: when one publisher has most articles,
 * it walks the publisher index over nearly the whole table and sorts, where scanning newest first and
 * stopping at a page is a thousand times cheaper. The partial index on the expression does not help
 * here: the planner ignores the statistics of a partial index's expressions.
 */
export class PublisherStatistics1764600000000 implements MigrationInterface {
  name = 'PublisherStatistics1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE STATISTICS storage.articles_lower_publisher ON (lower(publisher)) FROM storage.articles`,
    );
    // Statistics exist only once the table is analyzed; do not wait for autovacuum to get there.
    await queryRunner.query(`ANALYZE storage.articles`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP STATISTICS storage.articles_lower_publisher`);
  }
}
