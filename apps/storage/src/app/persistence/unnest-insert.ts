/** Postgres types a column of a bulk insert can have (each is sent as an array of that type). */
export type BulkColumnType = 'text' | 'integer' | 'double precision' | 'real' | 'timestamptz' | 'jsonb';

export interface BulkColumn<R> {
  readonly name: string;
  readonly type: BulkColumnType;
  /** JSON columns take a JSON string; null is SQL NULL. */
  value(row: R): string | number | null;
}

export interface BulkStatement {
  sql: string;
  parameters: unknown[];
}

/** The alias of the unnested rows in unnestInsert and unnestRows, for conditions on them (`u.id`). */
export const UNNEST_ALIAS = 'u';

/**
 * `unnest($1::type[], $2::type[], ...) AS u(name, ...)`: the rows as a relation, one bind parameter per
 * column whatever the number of rows. Parameters are numbered from `firstParameter`.
 */
export function unnestRows<R>(
  columns: readonly BulkColumn<R>[],
  rows: readonly R[],
  firstParameter = 1,
): { relation: string; parameters: unknown[] } {
  const names = columns.map((column) => column.name).join(', ');
  const arrays = columns.map((column, index) => `$${index + firstParameter}::${column.type}[]`).join(', ');
  return {
    relation: `unnest(${arrays}) AS ${UNNEST_ALIAS}(${names})`,
    parameters: columns.map((column) => rows.map((row) => column.value(row))),
  };
}

/**
 * `INSERT ... SELECT * FROM unnest($1::type[], $2::type[], ...) AS u(...)`: one bind parameter per
 * column, whatever the number of rows, so a batch needs no chunking under Postgres's 65,535 parameters
 * and the statement text (and its parse) does not grow with the batch. Rows are inserted in the given
 * order, which callers sort so that concurrent writers lock shared rows in the same order. `tail` follows
 * the SELECT: a `WHERE` on the unnested rows (alias `u`), `ON CONFLICT ...`, `RETURNING ...`.
 */
export function unnestInsert<R>(
  table: string,
  columns: readonly BulkColumn<R>[],
  rows: readonly R[],
  tail = '',
): BulkStatement {
  const names = columns.map((column) => column.name).join(', ');
  const { relation, parameters } = unnestRows(columns, rows);
  return {
    sql: `INSERT INTO ${table} (${names}) SELECT * FROM ${relation} ${tail}`.trimEnd(),
    parameters,
  };
}
