/**
 * Row writes per table during a phase, from Postgres's cumulative statistics (pg_stat_user_tables) of
 * the benchmark database: which tables the pipeline writes how often per article says where Postgres's
 * CPU goes (an UPDATE of storage.articles recomputes its generated full-text vector and, unless it is a
 * HOT update, adds entries to every index).
 */
import { type Client } from 'pg';

export interface TableWrites {
  table: string;
  inserts: number;
  updates: number;
  /** Updates that touched no indexed column and stayed on the page (cheap). */
  hotUpdates: number;
  deletes: number;
}

export type TableWriteSnapshot = Map<string, TableWrites>;

export async function snapshotTableWrites(client: Client): Promise<TableWriteSnapshot> {
  const { rows } = await client.query<{
    table: string;
    inserts: string;
    updates: string;
    hot_updates: string;
    deletes: string;
  }>(
    `SELECT schemaname || '.' || relname AS table, n_tup_ins AS inserts, n_tup_upd AS updates,
            n_tup_hot_upd AS hot_updates, n_tup_del AS deletes
       FROM pg_stat_user_tables`,
  );
  return new Map(
    rows.map((row) => [
      row.table,
      {
        table: row.table,
        inserts: Number(row.inserts),
        updates: Number(row.updates),
        hotUpdates: Number(row.hot_updates),
        deletes: Number(row.deletes),
      },
    ]),
  );
}

/** What changed between two snapshots, busiest table first; tables without writes are left out. */
export function tableWritesBetween(before: TableWriteSnapshot, after: TableWriteSnapshot): TableWrites[] {
  const changes: TableWrites[] = [];
  for (const [table, now] of after) {
    const then = before.get(table);
    const change = {
      table,
      inserts: now.inserts - (then?.inserts ?? 0),
      updates: now.updates - (then?.updates ?? 0),
      hotUpdates: now.hotUpdates - (then?.hotUpdates ?? 0),
      deletes: now.deletes - (then?.deletes ?? 0),
    };
    if (change.inserts + change.updates + change.deletes > 0) changes.push(change);
  }
  const total = (writes: TableWrites) => writes.inserts + writes.updates + writes.deletes;
  return changes.sort((a, b) => total(b) - total(a) || a.table.localeCompare(b.table));
}

/** `storage.articles 1.00 ins + 2.00 upd (0.00 HOT)` per article, for the busiest `limit` tables. */
export function tableWritesLine(writes: readonly TableWrites[], articles: number, limit = 8): string {
  if (writes.length === 0) return 'Row writes per article: n/a';
  const per = (count: number) => (count / Math.max(1, articles)).toFixed(2);
  const parts = writes.slice(0, limit).map((entry) => {
    const kinds = [
      entry.inserts > 0 ? `${per(entry.inserts)} ins` : undefined,
      entry.updates > 0 ? `${per(entry.updates)} upd (${per(entry.hotUpdates)} HOT)` : undefined,
      entry.deletes > 0 ? `${per(entry.deletes)} del` : undefined,
    ].filter((kind) => kind !== undefined);
    return `${entry.table} ${kinds.join(' + ')}`;
  });
  return `Row writes per article: ${parts.join('; ')}`;
}
