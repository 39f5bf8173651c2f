/**
 * The delivery-options migration on a database that already has deliveries (DATABASE_URL; the suite
 * creates `<database>_notif_migrate_<random>` and drops it): existing rows keep their meaning and
 * their (subscription, article) uniqueness, and the migration can be reverted.
 */
import { DataSource } from 'typeorm';

import { ensureDatabaseExists, runMigrationsLocked, serviceDataSourceOptions } from '@newsflow/database';
import { scratchDatabase } from '@newsflow/database/testing';

import { NOTIFICATION_MIGRATIONS } from '../migrations';
import { DeliveryOptionsAndAttempts1764500000000 } from '../migrations/1764500000000-delivery-options-and-attempts';
import { NOTIFICATION_SCHEMA } from '../notification.config';
import { DeliveryRepository } from './delivery.repository';

const { name, urlFor, admin } = scratchDatabase('notif_migrate');
const url = urlFor(name);

const before = NOTIFICATION_MIGRATIONS.filter(
  (migration) => migration !== DeliveryOptionsAndAttempts1764500000000,
);

async function openWith(migrations: (typeof NOTIFICATION_MIGRATIONS)[number][]): Promise<DataSource> {
  const dataSource = await new DataSource(
    serviceDataSourceOptions({
      url,
      schema: NOTIFICATION_SCHEMA,
      entities: [],
      migrations,
      poolSize: 2,
      applicationName: 'newsflow-notification-migration-int-spec',
    }),
  ).initialize();
  await runMigrationsLocked(dataSource, NOTIFICATION_SCHEMA);
  return dataSource;
}

const articleId = (index: number) => index.toString(16).padStart(32, 'c');

afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
});

it('migrates existing deliveries (dedupe key = article), keeps them unique, and reverts', async () => {
  expect(NOTIFICATION_MIGRATIONS.at(-1)).toBe(DeliveryOptionsAndAttempts1764500000000);
  await ensureDatabaseExists(url);

  // A database as the previous release left it, with a delivered and a pending delivery.
  const old = await openWith(before);
  const columns = async (source: DataSource, table: string) =>
    (
      await source.query<{ column_name: string }[]>(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = 'notification' AND table_name = $1`,
        [table],
      )
    ).map((row) => row.column_name);
  const subscriptionColumns = await columns(old, 'subscriptions');
  // Whatever NOT NULL columns without a default the earlier migrations left, filled generically.
  const required: { column_name: string; data_type: string }[] = await old.query(
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'notification' AND table_name = 'subscriptions'
       AND is_nullable = 'NO' AND column_default IS NULL`,
  );
  const values = required.map((column) =>
    column.data_type === 'jsonb'
      ? `'{"version": 1, "keywords": ["NATO"]}'::jsonb`
      : column.data_type === 'ARRAY'
        ? `ARRAY['NATO']`
        : `'whsec_x'`,
  );
  expect(subscriptionColumns).not.toContain('once_per_story');
  const [subscription] = await old.query<{ id: string }[]>(
    `INSERT INTO notification.subscriptions (${required.map((column) => column.column_name).join(', ')})
     VALUES (${values.join(', ')}) RETURNING id`,
  );
  await old.query(
    `INSERT INTO notification.deliveries (subscription_id, article_id, payload, status, attempts, delivered_at)
     VALUES ($1, $2, '{"n": 1}', 'delivered', 1, now()), ($1, $3, '{"n": 2}', 'pending', 0, NULL)`,
    [subscription?.id, articleId(1), articleId(2)],
  );
  await old.destroy();

  const migrated = await openWith(NOTIFICATION_MIGRATIONS);
  const rows: { article_id: string; dedupe_key: string; kind: string; status: string }[] =
    await migrated.query(
      `SELECT article_id, dedupe_key, kind, status FROM notification.deliveries ORDER BY article_id`,
    );
  expect(rows).toEqual([
    { article_id: articleId(1), dedupe_key: articleId(1), kind: 'article', status: 'delivered' },
    { article_id: articleId(2), dedupe_key: articleId(2), kind: 'article', status: 'pending' },
  ]);
  const [options] = await migrated.query(
    `SELECT once_per_story, digest_minutes, rate_limit_per_minute, failing_since, disabled_reason, disabled_at
     FROM notification.subscriptions`,
  );
  expect(options).toEqual({
    once_per_story: false,
    digest_minutes: null,
    rate_limit_per_minute: null,
    failing_since: null,
    disabled_reason: null,
    disabled_at: null,
  });
  // Replays of the old deliveries add nothing, whatever story they name now.
  const repository = new DeliveryRepository(migrated);
  expect(
    await repository.enqueue([
      { subscriptionId: String(subscription?.id), articleId: articleId(1), payload: {} },
      {
        subscriptionId: String(subscription?.id),
        articleId: articleId(2),
        payload: {},
        storyId: articleId(1),
      },
    ]),
  ).toBe(0);
  // The database refuses nonsense options.
  await expect(migrated.query(`UPDATE notification.subscriptions SET digest_minutes = 0`)).rejects.toThrow(
    /check constraint/,
  );

  // Reverting restores the previous shape with the rows intact.
  await migrated.undoLastMigration();
  expect(await columns(migrated, 'subscriptions')).toEqual(
    expect.not.arrayContaining(['once_per_story', 'failing_since']),
  );
  expect(await columns(migrated, 'deliveries')).toEqual(expect.not.arrayContaining(['dedupe_key', 'kind']));
  expect(await columns(migrated, 'delivery_attempts')).toEqual([]);
  expect(
    await migrated.query(`SELECT article_id, status FROM notification.deliveries ORDER BY article_id`),
  ).toEqual([
    { article_id: articleId(1), status: 'delivered' },
    { article_id: articleId(2), status: 'pending' },
  ]);
  await migrated.destroy();
});
