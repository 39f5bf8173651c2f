import { randomBytes } from 'node:crypto';

import { Client } from 'pg';

export interface ScratchDatabase {
  /** `<database of DATABASE_URL>_<suite>_<random>`: this suite's own database (or name prefix). */
  readonly name: string;
  /** DATABASE_URL as given. */
  readonly baseUrl: string;
  /** The server of DATABASE_URL, with another database. */
  urlFor(database: string): string;
  /** Runs one statement on the server's `postgres` database (CREATE, ALTER or DROP DATABASE). */
  admin(sql: string): Promise<void>;
}

/**
 * Integration suites each use their own database on the Postgres server of DATABASE_URL, so they
 * cannot see each other's rows. Fails (never skips) when DATABASE_URL is missing.
 */
export function scratchDatabase(suite: string): ScratchDatabase {
  const baseUrl = process.env['DATABASE_URL'];
  if (!baseUrl) {
    throw new Error(
      'DATABASE_URL is not set: this integration suite needs a Postgres server, e.g. ' +
        'DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsflow_test',
    );
  }
  const baseName = decodeURIComponent(new URL(baseUrl).pathname.replace(/^\//, '')) || 'newsflow_test';
  const urlFor = (database: string): string => {
    const url = new URL(baseUrl);
    url.pathname = `/${encodeURIComponent(database)}`;
    return url.toString();
  };
  return {
    name: `${baseName}_${suite}_${randomBytes(4).toString('hex')}`,
    baseUrl,
    urlFor,
    async admin(sql: string): Promise<void> {
      const client = new Client({ connectionString: urlFor('postgres') });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    },
  };
}
