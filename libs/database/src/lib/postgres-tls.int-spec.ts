/**
 * DATABASE_SSL against the real Postgres of DATABASE_URL. The development and CI servers run without
 * TLS (`SHOW ssl` is off), so there `require` must fail at once with pg's clear message rather than
 * fall back to plaintext; on a server with TLS it must connect encrypted.
 */
import { Client } from 'pg';

import { DatabaseEnvSchema, loadConfig } from '@newsflow/config';

import { scratchDatabase } from '../testing';
import { ensureDatabaseExists } from './ensure-database';
import { postgresSslFromEnv } from './postgres-tls';

const { name, urlFor, admin } = scratchDatabase('tls');

const sslFor = (mode: string) => postgresSslFromEnv(loadConfig(DatabaseEnvSchema, { DATABASE_SSL: mode }));

async function serverHasTls(): Promise<boolean> {
  const client = new Client({ connectionString: urlFor('postgres'), ssl: false });
  await client.connect();
  try {
    const result = await client.query<{ ssl: string }>('SHOW ssl');
    return result.rows[0]?.ssl === 'on';
  } finally {
    await client.end();
  }
}

/** Whether this backend's connection is encrypted, as Postgres itself reports it. */
async function connectionIsEncrypted(ssl: ReturnType<typeof sslFor>): Promise<boolean> {
  const client = new Client({ connectionString: urlFor('postgres'), ...(ssl === undefined ? {} : { ssl }) });
  await client.connect();
  try {
    const result = await client.query<{ ssl: boolean }>(
      'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
    );
    return result.rows[0]?.ssl === true;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS "${name}"`);
});

describe('DATABASE_SSL against the real server', () => {
  it('disable connects in plaintext, and ensureDatabaseExists works with it', async () => {
    expect(await connectionIsEncrypted(sslFor('disable'))).toBe(false);
    expect(await ensureDatabaseExists(urlFor(name), { ssl: sslFor('disable') })).toBe(true);
  });

  it('require never falls back to plaintext', async () => {
    if (await serverHasTls()) {
      expect(await connectionIsEncrypted(sslFor('require'))).toBe(true);
    } else {
      await expect(connectionIsEncrypted(sslFor('require'))).rejects.toThrow(
        'The server does not support SSL connections',
      );
      await expect(ensureDatabaseExists(urlFor(`${name}_never`), { ssl: sslFor('require') })).rejects.toThrow(
        'The server does not support SSL connections',
      );
    }
  });
});
