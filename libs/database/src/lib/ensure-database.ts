import { Client } from 'pg';

import { type PostgresSsl } from './postgres-tls';

/**
 * Creates the database named in the URL when it is missing, so a fresh machine needs nothing but a
 * running Postgres. Connects to the server's `postgres` database to do so, with the same TLS.
 */
export async function ensureDatabaseExists(
  databaseUrl: string,
  options: { ssl?: PostgresSsl } = {},
): Promise<boolean> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database) throw new Error('DATABASE_URL names no database');
  url.pathname = '/postgres';
  // The URL keeps its query, so `sslmode` there applies to this connection too.
  const client = new Client({
    connectionString: url.toString(),
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
  });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } catch (error) {
      // Several services start at once and race to create it: losing the race is fine. Postgres says so
      // with duplicate_database, or with a unique violation on pg_database when both got past the check.
      const code = (error as { code?: string }).code;
      if (code !== '42P04' && code !== '23505') throw error;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}
