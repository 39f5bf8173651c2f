/**
 * Checks that the COPY baseline wrote exactly the rows the service wrote for the same articles, table
 * by table (every stored column but the generated ones and the times of the write itself). Only the
 * benchmark's articles and entities are compared: on a shared broker the service may also have stored
 * events that other producers published to the contract topics meanwhile.
 */
import { type Client } from 'pg';

import { STORAGE_TABLES, type StorageTable, WRITE_TIME_COLUMNS } from './table-rows';

export interface TableComparison {
  table: StorageTable;
  /** Rows the service stored for the benchmark's articles (or of its entities). */
  rows: number;
  stagedRows: number;
  /** Rows of one side with no identical row on the other. */
  onlyStored: number;
  onlyStaged: number;
  /**
   * Entities only: how many have another place than in the COPY. A name can resolve to different places
   * in different articles ("York", "Cambridge"); storage keeps the first place it wrote, and the service
   * writes chunks in partition order, not in the articles' order, so these are not counted as differing.
   */
  placedOtherwise?: number;
}

const ORDER_DEPENDENT_COLUMNS: Readonly<Partial<Record<StorageTable, readonly string[]>>> = {
  entities: ['country_code', 'lat', 'lon', 'feature_type'],
};

export async function compareWithStorage(client: Client, staged: string): Promise<TableComparison[]> {
  const comparisons: TableComparison[] = [];
  for (const table of STORAGE_TABLES) {
    const { rows: columns } = await client.query<{ name: string }>(
      `SELECT column_name AS name FROM information_schema.columns
        WHERE table_schema = 'storage' AND table_name = $1 AND is_generated = 'NEVER'
        ORDER BY ordinal_position`,
      [table],
    );
    const skipped = new Set([
      ...(WRITE_TIME_COLUMNS[table] ?? []),
      ...(ORDER_DEPENDENT_COLUMNS[table] ?? []),
    ]);
    const list = columns
      .map((column) => column.name)
      .filter((name) => !skipped.has(name))
      .join(', ');
    const ours = benchmarkRows(table, staged);
    const stored = `SELECT ${list} FROM storage.${table} WHERE ${ours}`;
    const copied = `SELECT ${list} FROM ${staged}.${table}`;
    const difference = async (left: string, right: string) => {
      const { rows } = await client.query<{ count: string }>(
        `SELECT count(*) AS count FROM (${left} EXCEPT ALL ${right}) d`,
      );
      return Number(rows[0]?.count ?? 0);
    };
    const { rows: counts } = await client.query<{ stored: string; staged: string }>(
      `SELECT (SELECT count(*) FROM storage.${table} WHERE ${ours}) AS stored,
              (SELECT count(*) FROM ${staged}.${table}) AS staged`,
    );
    comparisons.push({
      table,
      rows: Number(counts[0]?.stored ?? 0),
      stagedRows: Number(counts[0]?.staged ?? 0),
      onlyStored: await difference(stored, copied),
      onlyStaged: await difference(copied, stored),
      ...(table === 'entities' && { placedOtherwise: await entitiesPlacedOtherwise(client, staged) }),
    });
  }
  return comparisons;
}

/** The condition selecting, in a storage table, the rows of the articles (or entities) staged. */
function benchmarkRows(table: StorageTable, staged: string): string {
  switch (table) {
    case 'entities':
      return `id IN (SELECT id FROM ${staged}.entities)`;
    case 'articles':
      return `id IN (SELECT id FROM ${staged}.articles)`;
    case 'article_entities':
    case 'article_keywords':
    case 'article_quotes':
    case 'article_amounts':
    case 'near_duplicates':
      return `article_id IN (SELECT id FROM ${staged}.articles)`;
  }
}

async function entitiesPlacedOtherwise(client: Client, staged: string): Promise<number> {
  const { rows } = await client.query<{ count: string }>(
    `SELECT count(*) AS count FROM storage.entities e JOIN ${staged}.entities s USING (id)
      WHERE (e.country_code, e.lat, e.lon, e.feature_type) IS DISTINCT FROM
            (s.country_code, s.lat, s.lon, s.feature_type)`,
  );
  return Number(rows[0]?.count ?? 0);
}
