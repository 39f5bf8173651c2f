/**
 * Postgres COPY text format (the default of `COPY ... FROM STDIN`): one line per row, columns separated
 * by a tab, `\N` for NULL. Inside a value, backslash, newline, carriage return and tab are written as
 * backslash escapes; everything else, other control characters and any Unicode included, goes as is.
 */

export type CopyValue = string | number | null;

export interface CopyColumn<R> {
  readonly name: string;
  /** JSON columns take a JSON string, numbers their shortest exact decimal form; null is NULL. */
  value(row: R): CopyValue;
}

/** A table's columns, without its schema: the benchmark writes the same table in several schemas. */
export interface CopyTable<R> {
  readonly columns: readonly CopyColumn<R>[];
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One value as COPY text reads it back unchanged. */
export function copyValue(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`COPY value ${value} is not a finite number`);
    return String(value);
  }
  return NEEDS_ESCAPE.test(value)
    ? value.replace(/[\\\n\r\t]/g, (character) => ESCAPES[character] ?? character)
    : value;
}

/** One row, newline included. */
export function copyLine<R>(columns: readonly CopyColumn<R>[], row: R): string {
  let line = '';
  for (let index = 0; index < columns.length; index++) {
    if (index > 0) line += '\t';
    line += copyValue((columns[index] as CopyColumn<R>).value(row));
  }
  return `${line}\n`;
}

/** `COPY table (columns) FROM STDIN`, text format; `table` is schema-qualified. */
export function copyStatement(table: string, columns: readonly string[]): string {
  return `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
}

/**
 * The rows as COPY text in chunks of about `chunkChars` characters: one stream write per row would
 * cost more than formatting it.
 */
export function* copyChunks<R>(
  columns: readonly CopyColumn<R>[],
  rows: Iterable<R>,
  chunkChars = 1 << 16,
): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    chunk += copyLine(columns, row);
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}
