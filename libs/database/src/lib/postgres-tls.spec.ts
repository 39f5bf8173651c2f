import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from 'pg';
import { type PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

import { DatabaseEnvSchema, loadConfig } from '@newsflow/config';

import { serviceDataSourceOptions } from './data-source';
import { postgresSslFromEnv } from './postgres-tls';

const env = (variables: Record<string, string>) => loadConfig(DatabaseEnvSchema, variables);

/** What pg itself ends up with for a connection string and an `ssl` option. */
function pgSsl(connectionString: string, ssl?: false | object): unknown {
  const client = new Client({ connectionString, ...(ssl === undefined ? {} : { ssl }) });
  return (client as unknown as { connectionParameters: { ssl: unknown } }).connectionParameters.ssl;
}

describe('postgresSslFromEnv', () => {
  let dir: string;
  let caFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'newsflow-pg-tls-'));
    caFile = join(dir, 'root.crt');
    writeFileSync(caFile, 'CA PEM');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves TLS to the URL when DATABASE_SSL is unset', () => {
    expect(postgresSslFromEnv(env({}))).toBeUndefined();
  });

  it('maps the modes with libpq’s meaning', () => {
    expect(postgresSslFromEnv(env({ DATABASE_SSL: 'disable' }))).toBe(false);
    expect(postgresSslFromEnv(env({ DATABASE_SSL: 'require' }))).toEqual({ rejectUnauthorized: false });
    expect(postgresSslFromEnv(env({ DATABASE_SSL: 'verify-full' }))).toEqual({ rejectUnauthorized: true });
  });

  it('reads the CA file for verify-full', () => {
    expect(postgresSslFromEnv(env({ DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: caFile }))).toEqual({
      rejectUnauthorized: true,
      ca: 'CA PEM',
    });
  });

  it('reaches pg through the TypeORM options (pg keeps the `ssl` option when the URL has no sslmode)', () => {
    const options = serviceDataSourceOptions({
      url: 'postgres://newsflow@db.example/newsflow',
      schema: 'storage',
      entities: [],
      migrations: [],
      poolSize: 1,
      applicationName: 'newsflow-storage',
      ssl: postgresSslFromEnv(env({ DATABASE_SSL: 'require' })),
    }) as PostgresConnectionOptions;
    expect(options.ssl).toEqual({ rejectUnauthorized: false });
    expect(pgSsl(options.url ?? '', { rejectUnauthorized: false })).toEqual({ rejectUnauthorized: false });
  });

  it('documents pg’s precedence: sslmode in the URL overrides the `ssl` option (why loadConfig refuses both)', () => {
    expect(
      pgSsl('postgres://newsflow@db.example/newsflow?sslmode=disable', { rejectUnauthorized: true }),
    ).toBe(false);
  });

  it('adds no `ssl` option when unset, so the URL or PGSSLMODE still decide', () => {
    const options = serviceDataSourceOptions({
      url: 'postgres://newsflow@db.example/newsflow',
      schema: 'storage',
      entities: [],
      migrations: [],
      poolSize: 1,
      applicationName: 'newsflow-storage',
    });
    expect(options).not.toHaveProperty('ssl');
  });
});
