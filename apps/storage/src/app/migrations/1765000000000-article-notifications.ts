import { type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * When an article was first notified about moves from `articles.notified_at` to a table of its own.
 * Setting the column rewrote the whole article row, which is never a HOT update (the row has a dozen
 * indexes, its full-text one among them), so every notified article added a second set of index
 * entries for nothing but a timestamp: a third of the row's writes in the end-to-end benchmark. A
 * narrow row per article costs one small insert. It is kept even when the notification comes before
 * the article is stored (the column could not hold it then).
 */
export class ArticleNotifications1765000000000 implements MigrationInterface {
  name = 'ArticleNotifications1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE storage.article_notifications (
        article_id  text PRIMARY KEY,
        notified_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      INSERT INTO storage.article_notifications (article_id, notified_at)
      SELECT id, notified_at FROM storage.articles WHERE notified_at IS NOT NULL`);
    await queryRunner.query(
      `CREATE INDEX article_notifications_notified_at ON storage.article_notifications (notified_at)`,
    );
    await queryRunner.query(`DROP INDEX storage.articles_notified_at`);
    await queryRunner.query(`ALTER TABLE storage.articles DROP COLUMN notified_at`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE storage.articles ADD COLUMN notified_at timestamptz`);
    await queryRunner.query(`
      UPDATE storage.articles a SET notified_at = n.notified_at
        FROM storage.article_notifications n WHERE n.article_id = a.id`);
    await queryRunner.query(
      `CREATE INDEX articles_notified_at ON storage.articles (notified_at) WHERE notified_at IS NOT NULL`,
    );
    await queryRunner.query(`DROP TABLE storage.article_notifications`);
  }
}
