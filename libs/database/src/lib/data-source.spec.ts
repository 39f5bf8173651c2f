import { type PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';

import { advisoryLockKey, serviceDataSourceOptions, sessionOptions } from './data-source';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

describe('advisoryLockKey', () => {
  it('is stable: the same schema always gives the same key, across calls and releases', () => {
    expect(advisoryLockKey('storage')).toBe(advisoryLockKey('storage'));
    // Pinned: instances of an old and a new release must agree on the key during a rolling deploy,
    // otherwise both would run migrations at once.
    expect(advisoryLockKey('storage')).toBe('837701840261086930');
    expect(advisoryLockKey('notification')).toBe('-2345593912998589005');
  });

  it('differs per schema', () => {
    const schemas = ['storage', 'notification', 'enrichment', 'ingestion', 'Storage', 'storage ', ''];
    const keys = schemas.map((schema) => advisoryLockKey(schema));
    expect(new Set(keys).size).toBe(schemas.length);
  });

  it('is a decimal integer that fits a signed 64-bit bigint (what pg_advisory_lock(bigint) takes)', () => {
    for (const schema of ['storage', 'notification', 'a', 'x'.repeat(500), 'ü-ñ-字']) {
      const key = advisoryLockKey(schema);
      expect(key).toMatch(/^-?\d{1,19}$/);
      const value = BigInt(key);
      expect(value >= INT64_MIN && value <= INT64_MAX).toBe(true);
      expect(value.toString()).toBe(key);
    }
  });

  it('uses the whole signed range (some keys are negative)', () => {
    const keys = Array.from({ length: 200 }, (_, index) => BigInt(advisoryLockKey(`schema_${index}`)));
    expect(keys.some((key) => key < 0n)).toBe(true);
    expect(keys.some((key) => key > 0n)).toBe(true);
  });
});

describe('serviceDataSourceOptions', () => {
  class FirstMigration {}
  class SecondMigration {}
  class SomeEntity {}

  const options = serviceDataSourceOptions({
    url: 'postgres://postgres@127.0.0.1:5432/newsflow',
    schema: 'storage',
    entities: [SomeEntity],
    migrations: [FirstMigration, SecondMigration],
    poolSize: 7,
    applicationName: 'newsflow-storage',
  }) as PostgresConnectionOptions;

  it('never synchronizes the schema and never runs migrations on its own', () => {
    // Migrations run only through runMigrationsLocked, under the advisory lock.
    expect(options.synchronize).toBe(false);
    expect(options.migrationsRun).toBe(false);
  });

  it('keeps the url, schema, entities, migrations (in order) and application name', () => {
    expect(options.type).toBe('postgres');
    expect(options.url).toBe('postgres://postgres@127.0.0.1:5432/newsflow');
    expect(options.schema).toBe('storage');
    expect(options.entities).toEqual([SomeEntity]);
    expect(options.migrations).toEqual([FirstMigration, SecondMigration]);
    expect(options.migrationsTableName).toBe('migrations');
    expect(options.applicationName).toBe('newsflow-storage');
  });

  it('passes the pool size to the pg pool (extra.max) with a bounded connect timeout', () => {
    const extra = options.extra as { max?: number; connectionTimeoutMillis?: number };
    expect(extra.max).toBe(7);
    expect(extra.connectionTimeoutMillis).toBeGreaterThan(0);
  });

  it('has every connection plan cached statements afresh (see PLAN_CACHE_MODE), keeping PGOPTIONS', () => {
    expect((options.extra as { options?: string }).options).toBe(sessionOptions(process.env['PGOPTIONS']));
    expect(sessionOptions(undefined)).toBe('-c plan_cache_mode=force_custom_plan');
    expect(sessionOptions(' -c lock_timeout=1000 ')).toBe(
      '-c lock_timeout=1000 -c plan_cache_mode=force_custom_plan',
    );
  });
});
