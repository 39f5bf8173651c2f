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

/**
 * `INSERT ... SELECT * FROM unnest($1::type[], $2::type[], ...)`: one bind parameter per column,
 * whatever the number of rows, so a batch needs no chunking under Postgres's 65,535 parameters and
 * the statement text (and its parse) does not grow with the batch. Rows are inserted in the given
 * order, which callers sort so that concurrent writers lock shared rows in the same order.
 */
export function unnestInsert<R>(
  table: string,
  columns: readonly BulkColumn<R>[],
  rows: readonly R[],
  onConflict = '',
): BulkStatement {
  const names = columns.map((column) => column.name).join(', ');
  const arrays = columns.map((column, index) => `$${index + 1}::${column.type}[]`).join(', ');
  return {
    sql: `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays}) ${onConflict}`.trimEnd(),
    parameters: columns.map((column) => rows.map((row) => column.value(row))),
  };
}
