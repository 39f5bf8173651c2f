/**
 * The benchmark's own database on the Postgres server of DATABASE_URL: `<database>_bench_<random>`,
 * created empty (the storage service migrates it when it starts) and dropped at the end unless kept.
 */
import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/newsflow';

export interface BenchDatabase {
  readonly name: string;
  /** DATABASE_URL of the benchmark database, for the service and the benchmark's own connections. */
  readonly url: string;
  connect(): Promise<Client>;
  drop(): Promise<void>;
}

export function benchDatabaseName(databaseUrl: string, random = randomBytes(4).toString('hex')): string {
  const base = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, '')) || 'newsflow';
  return `${base}_bench_${random}`;
}

function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

async function onServer<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Whether the server answers; the message says what went wrong when it does not. */
export async function checkServer(
  databaseUrl: string,
): Promise<{ ok: true } | { ok: false; message: string }> {
  try {
    await onServer(databaseUrl, (client) => client.query('SELECT 1'));
    return { ok: true };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

export async function createBenchDatabase(databaseUrl: string): Promise<BenchDatabase> {
  const name = benchDatabaseName(databaseUrl);
  await onServer(databaseUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(databaseUrl, name);
  return {
    name,
    url,
    async connect() {
      const client = new Client({ connectionString: url });
      await client.connect();
      return client;
    },
    async drop() {
      await onServer(databaseUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
