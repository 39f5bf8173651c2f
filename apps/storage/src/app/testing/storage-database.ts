/**
 * A scratch database with storage's migrations applied, for integration suites and benchmarks. Its
 * sessions run far from UTC (Pacific/Kiritimati, +14), so date handling cannot pass by luck.
 */
import { type DataSource } from 'typeorm';

import { ensureDatabaseExists, openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';
import { scratchDatabase } from '@newsflow/database/testing';

import { STORAGE_MIGRATIONS } from '../migrations';
import { ArticleEntity } from '../persistence/article.entity';
import { ArticleQueryRepository } from '../persistence/article-query.repository';
import { ArticleRepository } from '../persistence/article.repository';
import { InsightsRepository } from '../persistence/insights.repository';
import { STORAGE_SCHEMA } from '../storage.config';

/** Every table of schema `storage` that holds data (not the migrations table). */
export const STORAGE_TABLES = [
  'articles',
  'entities',
  'article_entities',
  'article_keywords',
  'article_quotes',
  'article_amounts',
  'near_duplicates',
  'article_notifications',
] as const;

export interface StorageTestDatabase {
  /** The scratch database's URL. */
  url: string;
  dataSource: DataSource;
  articles: ArticleRepository;
  queries: ArticleQueryRepository;
  insights: InsightsRepository;
  /** Empties every storage table. */
  truncate(): Promise<void>;
  /** Every row of every storage table as Postgres renders it to JSON, in primary key order. */
  dump(options?: { withSystemColumns?: boolean }): Promise<Record<string, unknown[]>>;
  close(): Promise<void>;
}

export async function openStorageTestDatabase(
  suite: string,
  migrations = STORAGE_MIGRATIONS,
): Promise<StorageTestDatabase> {
  const { name, urlFor, admin } = scratchDatabase(suite);
  const url = urlFor(name);
  await ensureDatabaseExists(url);
  await admin(`ALTER DATABASE "${name}" SET timezone TO 'Pacific/Kiritimati'`);
  const dataSource = await openServiceDatabase(
    serviceDataSourceOptions({
      url,
      schema: STORAGE_SCHEMA,
      entities: [ArticleEntity],
      migrations,
      poolSize: 5,
      applicationName: `newsflow-storage-${suite}`,
    }),
    STORAGE_SCHEMA,
  );
  return {
    url,
    dataSource,
    articles: new ArticleRepository(dataSource),
    queries: new ArticleQueryRepository(dataSource),
    insights: new InsightsRepository(dataSource),
    async truncate() {
      await dataSource.query(`TRUNCATE ${STORAGE_TABLES.map((table) => `storage.${table}`).join(', ')}`);
    },
    async dump(options = {}) {
      const dump: Record<string, unknown[]> = {};
      for (const table of STORAGE_TABLES) {
        // xmin changes whenever Postgres writes a row, even with the same values.
        const row = options.withSystemColumns
          ? `to_jsonb(t) || jsonb_build_object('xmin', t.xmin::text)`
          : 'to_jsonb(t)';
        const rows = (await dataSource.query(
          `SELECT ${row} AS row FROM storage.${table} t ORDER BY ${orderOf(table)}`,
        )) as { row: unknown }[];
        dump[table] = rows.map((entry) => entry.row);
      }
      return dump;
    },
    async close() {
      await dataSource.destroy();
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

function orderOf(table: (typeof STORAGE_TABLES)[number]): string {
  switch (table) {
    case 'articles':
    case 'entities':
      return 'id';
    case 'article_entities':
      return 'article_id, entity_id';
    case 'article_keywords':
    case 'article_quotes':
    case 'article_amounts':
      return 'article_id, position';
    case 'near_duplicates':
    case 'article_notifications':
      return 'article_id';
  }
}
