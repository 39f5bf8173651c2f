import { type Pool, type QueryResultRow } from 'pg';
import { type DataSource } from 'typeorm';
import { type PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

/**
 * Runs a statement as a named prepared statement on the data source's pool: Postgres parses and plans
 * it once per connection rather than on every call (TypeORM's query() sends it unnamed each time).
 * For the statements run per chunk of articles and per delivery, that planning was a good part of
 * their cost. `name` must always go with the same `text`.
 */
export async function preparedQuery<T extends QueryResultRow>(
  dataSource: DataSource,
  name: string,
  text: string,
  values: readonly unknown[],
): Promise<T[]> {
  // TypeORM types its pg pool as `any`; it is a pg Pool.
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  const result = await pool.query<T>({ name, text, values: [...values] });
  return result.rows;
}
