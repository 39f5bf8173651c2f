import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { z } from 'zod';

import { DatabaseEnvSchema } from './common-env';
import { sslParametersOf } from './database-tls-env';
import { ConfigError, type Environment, loadConfig } from './load-config';

const ServiceSchema = z.object({ SERVICE_ONLY: z.string().optional() }).extend(DatabaseEnvSchema.shape);

function problemsOf(env: Environment): string[] {
  try {
    loadConfig(ServiceSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('Postgres TLS settings', () => {
  let dir: string;
  let caFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'newsflow-database-env-'));
    caFile = join(dir, 'root.crt');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves TLS unset by default (then the URL or nothing decides)', () => {
    expect(loadConfig(ServiceSchema, {}).DATABASE_SSL).toBeUndefined();
  });

  it('accepts each mode, and a CA file for verify-full', () => {
    for (const mode of ['disable', 'require', 'verify-full']) {
      expect(loadConfig(ServiceSchema, { DATABASE_SSL: mode }).DATABASE_SSL).toBe(mode);
    }
    const config = loadConfig(ServiceSchema, { DATABASE_SSL: 'verify-full', DATABASE_SSL_CA_FILE: caFile });
    expect(config.DATABASE_SSL_CA_FILE).toBe(caFile);
  });

  it('names the variable for an unknown mode (libpq spellings pg does not treat alike are refused)', () => {
    expect(problemsOf({ DATABASE_SSL: 'prefer' })).toEqual([
      'DATABASE_SSL: must be one of disable, require, verify-full',
    ]);
  });

  it('refuses a CA file that verify-full would not use', () => {
    expect(problemsOf({ DATABASE_SSL: 'require', DATABASE_SSL_CA_FILE: caFile })).toEqual([
      expect.stringMatching(/^DATABASE_SSL_CA_FILE: only used with DATABASE_SSL=verify-full/),
    ]);
  });

  it('refuses DATABASE_SSL beside sslmode in DATABASE_URL, since pg would let the URL win', () => {
    expect(
      problemsOf({
        DATABASE_URL: 'postgres://newsflow:pw@db.example:5432/newsflow?sslmode=verify-full',
        DATABASE_SSL: 'require',
      }),
    ).toEqual(['DATABASE_SSL: set either DATABASE_SSL or sslmode in DATABASE_URL, not both']);
  });

  it('accepts sslmode in DATABASE_URL alone', () => {
    const url = 'postgres://newsflow@db.example/newsflow?sslmode=verify-full&sslrootcert=/run/ca.pem';
    expect(loadConfig(ServiceSchema, { DATABASE_URL: url }).DATABASE_URL).toBe(url);
    expect(sslParametersOf(url)).toEqual(['sslmode', 'sslrootcert']);
  });
});
