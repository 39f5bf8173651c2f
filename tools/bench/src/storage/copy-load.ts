/**
 * COPY of enriched articles into storage's tables: the baseline the consumer path is compared with
 * (into a staging copy of the tables, timed), and the bulk setup of the query phase (into `storage`
 * itself, not timed). The rows come from table-rows.ts.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { type ArticleEnrichedV1 } from '@newsflow/contracts';
import { type Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

import { type CopyTable, copyChunks, copyStatement } from './copy-format';
import {
  ARTICLES,
  ARTICLE_AMOUNTS,
  ARTICLE_ENTITIES,
  ARTICLE_KEYWORDS,
  ARTICLE_QUOTES,
  ENTITIES,
  EntityCollector,
  NEAR_DUPLICATES,
  STORAGE_TABLES,
  type StorageTable,
  childRowsOf,
} from './table-rows';

/** One table's rows as COPY text, formatted ahead so that the timed part is the COPY alone. */
export interface PreparedTable {
  table: StorageTable;
  rows: number;
  chunks: string[];
  bytes: number;
}

export interface TableTiming {
  table: StorageTable;
  rows: number;
  bytes: number;
  seconds: number;
}

/** The rows of every storage table for these articles, entities distinct, in STORAGE_TABLES order. */
export function prepareTables(articles: readonly ArticleEnrichedV1[]): PreparedTable[] {
  const entities = new EntityCollector();
  const children = articles.map((item) => childRowsOf(item));
  for (const rows of children) entities.add(rows.entities);
  const prepared: Record<StorageTable, PreparedTable> = {
    entities: prepare('entities', ENTITIES, entities.rows()),
    articles: prepare('articles', ARTICLES, articles),
    article_entities: prepare(
      'article_entities',
      ARTICLE_ENTITIES,
      children.flatMap((rows) => rows.links),
    ),
    article_keywords: prepare(
      'article_keywords',
      ARTICLE_KEYWORDS,
      children.flatMap((rows) => rows.keywords),
    ),
    article_quotes: prepare(
      'article_quotes',
      ARTICLE_QUOTES,
      children.flatMap((rows) => rows.quotes),
    ),
    article_amounts: prepare(
      'article_amounts',
      ARTICLE_AMOUNTS,
      children.flatMap((rows) => rows.amounts),
    ),
    near_duplicates: prepare(
      'near_duplicates',
      NEAR_DUPLICATES,
      children.flatMap((rows) => rows.nearDuplicates),
    ),
  };
  return STORAGE_TABLES.map((table) => prepared[table]);
}

function prepare<R>(name: StorageTable, table: CopyTable<R>, rows: readonly R[]): PreparedTable {
  const chunks = [...copyChunks(table.columns, rows)];
  const bytes = chunks.reduce((sum, chunk) => sum + Buffer.byteLength(chunk, 'utf8'), 0);
  return { table: name, rows: rows.length, chunks, bytes };
}

const COLUMN_NAMES: Readonly<Record<StorageTable, readonly string[]>> = {
  entities: columnNames(ENTITIES),
  articles: columnNames(ARTICLES),
  article_entities: columnNames(ARTICLE_ENTITIES),
  article_keywords: columnNames(ARTICLE_KEYWORDS),
  article_quotes: columnNames(ARTICLE_QUOTES),
  article_amounts: columnNames(ARTICLE_AMOUNTS),
  near_duplicates: columnNames(NEAR_DUPLICATES),
};

function columnNames(table: CopyTable<never>): string[] {
  return table.columns.map((column) => column.name);
}

/** COPY of one prepared table into `schema.table` (or into `target` when given); returns rows/s inputs. */
export async function copyTable(
  client: Client,
  schema: string,
  prepared: PreparedTable,
  target?: string,
): Promise<TableTiming> {
  const statement = copyStatement(`${schema}.${target ?? prepared.table}`, COLUMN_NAMES[prepared.table]);
  const started = process.hrtime.bigint();
  await pipeline(Readable.from(prepared.chunks), client.query(copyFrom(statement)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { table: prepared.table, rows: prepared.rows, bytes: prepared.bytes, seconds };
}

/**
 * `schema` gets empty tables shaped like storage's (columns, generated columns, defaults, checks and
 * indexes through LIKE ... INCLUDING ALL) with the same foreign keys among themselves, and logged like
 * them: a COPY into it does what storage's writes do, minus the consumer and the upsert logic.
 */
export async function createStagingTables(client: Client, schema: string): Promise<void> {
  await client.query(`CREATE SCHEMA ${schema}`);
  for (const table of STORAGE_TABLES) {
    await client.query(`CREATE TABLE ${schema}.${table} (LIKE storage.${table} INCLUDING ALL)`);
  }
  const { rows } = await client.query<{ table: string; definition: string }>(
    `SELECT c.conrelid::regclass::text AS table, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = 'storage'::regnamespace`,
  );
  for (const { table, definition } of rows) {
    const staged = table.replace(/^storage\./, `${schema}.`);
    await client.query(
      `ALTER TABLE ${staged} ADD ${definition.replace(/REFERENCES storage\./g, `REFERENCES ${schema}.`)}`,
    );
  }
}

/**
 * Adds articles to storage's own tables (setup of the query phase, not timed), a slice at a time:
 * entities through a temporary table, since some are already stored and COPY cannot skip conflicts.
 */
export async function appendToStorage(
  client: Client,
  articles: Iterable<ArticleEnrichedV1>,
  sliceSize = 5_000,
): Promise<number> {
  await client.query(
    'CREATE TEMPORARY TABLE bench_new_entities (LIKE storage.entities INCLUDING DEFAULTS) ON COMMIT DELETE ROWS',
  );
  let appended = 0;
  let slice: ArticleEnrichedV1[] = [];
  const flush = async () => {
    await client.query('BEGIN');
    for (const prepared of prepareTables(slice)) {
      if (prepared.rows === 0) continue;
      if (prepared.table === 'entities') {
        await copyTable(client, 'pg_temp', prepared, 'bench_new_entities');
        await client.query(
          'INSERT INTO storage.entities SELECT * FROM bench_new_entities ORDER BY id ON CONFLICT DO NOTHING',
        );
      } else {
        await copyTable(client, 'storage', prepared);
      }
    }
    await client.query('COMMIT');
    appended += slice.length;
    slice = [];
  };
  for (const article of articles) {
    slice.push(article);
    if (slice.length >= sliceSize) await flush();
  }
  if (slice.length > 0) await flush();
  await client.query('DROP TABLE bench_new_entities');
  return appended;
}
