/**
 * ensureDatabaseExists and runMigrationsLocked against a real Postgres (DATABASE_URL). Every database
 * this suite creates is named `<database of DATABASE_URL>_db_<random>[_suffix]` and dropped in afterAll.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { Client } from 'pg';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';

import {
  PLAN_CACHE_MODE,
  advisoryLockKey,
  openServiceDatabase,
  runMigrationsLocked,
  serviceDataSourceOptions,
} from './data-source';
import { scratchDatabase } from '../testing';
import { ensureDatabaseExists } from './ensure-database';

const { name: SUITE_PREFIX, baseUrl: BASE_URL, urlFor } = scratchDatabase('db');

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function withAdmin<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlFor('postgres') });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function withClient<T>(database: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlFor(database) });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  return withAdmin(async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  });
}

const createdDatabases = new Set<string>();
/** A fresh database name of this suite; dropped in afterAll whether or not a test created it. */
function freshDatabaseName(suffix: string): string {
  const name = `${SUITE_PREFIX}_${suffix}`;
  createdDatabases.add(name);
  return name;
}

async function createDatabase(suffix: string): Promise<string> {
  const name = freshDatabaseName(suffix);
  await withAdmin((client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));
  return name;
}

/** Every `up` of these migrations records itself, so a migration that ran twice shows up twice. */
function testMigrations(schema: string) {
  class CreateLedger1700000000001 implements MigrationInterface {
    name = 'CreateLedger1700000000001';
    async up(queryRunner: QueryRunner): Promise<void> {
      // No IF NOT EXISTS: running twice would fail, and the sleep widens any race window.
      await queryRunner.query(
        `CREATE TABLE "${schema}".ledger (migration text NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())`,
      );
      await queryRunner.query(`SELECT pg_sleep(0.3)`);
      await queryRunner.query(`INSERT INTO "${schema}".ledger (migration) VALUES ($1)`, [this.name]);
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE "${schema}".ledger`);
    }
  }
  class AddThings1700000000002 implements MigrationInterface {
    name = 'AddThings1700000000002';
    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`CREATE TABLE "${schema}".things (id serial PRIMARY KEY)`);
      await queryRunner.query(`SELECT pg_sleep(0.1)`);
      await queryRunner.query(`INSERT INTO "${schema}".ledger (migration) VALUES ($1)`, [this.name]);
    }
    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE "${schema}".things`);
    }
  }
  return [CreateLedger1700000000001, AddThings1700000000002];
}

const openDataSources: DataSource[] = [];
async function dataSourceFor(database: string, schema: string, migrations = testMigrations(schema)) {
  const dataSource = await new DataSource(
    serviceDataSourceOptions({
      url: urlFor(database),
      schema,
      entities: [],
      migrations,
      poolSize: 3,
      applicationName: 'newsflow-database-int-spec',
    }),
  ).initialize();
  openDataSources.push(dataSource);
  return dataSource;
}

afterAll(async () => {
  await Promise.all(openDataSources.map((dataSource) => dataSource.destroy().catch(() => undefined)));
  await withAdmin(async (client) => {
    for (const name of createdDatabases) {
      await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }
  });
});

describe('ensureDatabaseExists', () => {
  it('creates a missing database, then reports false because it exists', async () => {
    const name = freshDatabaseName('create');
    expect(await databaseExists(name)).toBe(false);

    expect(await ensureDatabaseExists(urlFor(name))).toBe(true);
    expect(await databaseExists(name)).toBe(true);
    // The database is usable through the URL it was created from.
    await withClient(name, async (client) => {
      const result = await client.query<{ db: string }>('SELECT current_database() AS db');
      expect(result.rows[0]?.db).toBe(name);
    });

    expect(await ensureDatabaseExists(urlFor(name))).toBe(false);
  });

  it('handles a name that needs quoting (upper case, hyphen, percent-encoded in the URL)', async () => {
    const name = freshDatabaseName('Mixed-Case x');
    expect(await ensureDatabaseExists(urlFor(name))).toBe(true);
    expect(await databaseExists(name)).toBe(true);
    expect(await ensureDatabaseExists(urlFor(name))).toBe(false);
  });

  it('refuses a URL that names no database', async () => {
    const url = new URL(BASE_URL);
    url.pathname = '/';
    await expect(ensureDatabaseExists(url.toString())).rejects.toThrow(/names no database/);
  });

  // Regression test: when both callers get past the existence check, the losing CREATE DATABASE fails
  // with 23505 (unique violation on pg_database_datname_index), not 42P04. Before 75ccf03 only 42P04 was
  // tolerated and this test failed on every round (Postgres 15).
  it('two concurrent calls for the same missing database both succeed, and exactly one created it', async () => {
    // Repeated, so a race lost either way (42P04 or 23505) is exercised.
    for (let round = 0; round < 5; round++) {
      const name = freshDatabaseName(`race${round}`);
      const results = await Promise.allSettled([
        ensureDatabaseExists(urlFor(name)),
        ensureDatabaseExists(urlFor(name)),
      ]);
      const failures = results.flatMap((result) =>
        result.status === 'rejected'
          ? [`${(result.reason as { code?: string }).code}: ${(result.reason as Error).message}`]
          : [],
      );
      expect({ round, failures }).toEqual({ round, failures: [] });
      const created = results.map((result) => (result.status === 'fulfilled' ? result.value : null));
      expect(created.filter((value) => value === true)).toHaveLength(1);
      expect(await databaseExists(name)).toBe(true);
    }
  });
});

describe('runMigrationsLocked', () => {
  it('from 3 data sources at once on a fresh database: creates the schema and applies each migration exactly once', async () => {
    const database = await createDatabase('migrate');
    const schema = 'svc_under_test';
    const sources = await Promise.all([1, 2, 3].map(() => dataSourceFor(database, schema)));

    const applied = await Promise.all(sources.map((dataSource) => runMigrationsLocked(dataSource, schema)));

    // Exactly one caller applied both migrations (in order); the others found nothing pending.
    expect(applied.flat().sort()).toEqual(['AddThings1700000000002', 'CreateLedger1700000000001']);
    expect(applied.filter((names) => names.length > 0)).toEqual([
      ['CreateLedger1700000000001', 'AddThings1700000000002'],
    ]);

    await withClient(database, async (client) => {
      const schemas = await client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [
        schema,
      ]);
      expect(schemas.rowCount).toBe(1);
      const migrations = await client.query<{ name: string; timestamp: string }>(
        `SELECT name, timestamp FROM "${schema}".migrations ORDER BY id`,
      );
      expect(migrations.rows.map((row) => row.name)).toEqual([
        'CreateLedger1700000000001',
        'AddThings1700000000002',
      ]);
      const ledger = await client.query<{ migration: string }>(
        `SELECT migration FROM "${schema}".ledger ORDER BY at`,
      );
      expect(ledger.rows.map((row) => row.migration)).toEqual([
        'CreateLedger1700000000001',
        'AddThings1700000000002',
      ]);
      // Nothing was left in the public schema.
      const publicTables = await client.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'`,
      );
      expect(publicTables.rows).toEqual([]);
    });

    // Running again (a restart) applies nothing.
    expect(await runMigrationsLocked(sources[0] as DataSource, schema)).toEqual([]);
  });

  it('waits for the advisory lock of its own schema only, and releases it afterwards', async () => {
    const database = await createDatabase('lock');
    const [blocked, other] = await Promise.all([
      dataSourceFor(database, 'blocked'),
      dataSourceFor(database, 'other'),
    ]);

    await withClient(database, async (holder) => {
      await holder.query('SELECT pg_advisory_lock($1)', [advisoryLockKey('blocked')]);
      let blockedDone = false;
      const blockedRun = runMigrationsLocked(blocked, 'blocked').then((names) => {
        blockedDone = true;
        return names;
      });
      // Another schema's migrations are not held up by this lock.
      expect(await runMigrationsLocked(other, 'other')).toHaveLength(2);
      await sleep(500);
      expect(blockedDone).toBe(false);
      const schemas = await holder.query(
        `SELECT 1 FROM information_schema.schemata WHERE schema_name = 'blocked'`,
      );
      expect(schemas.rowCount).toBe(0);

      await holder.query('SELECT pg_advisory_unlock($1)', [advisoryLockKey('blocked')]);
      expect(await blockedRun).toHaveLength(2);

      // The lock was released by runMigrationsLocked: the holder can take it again at once.
      const retaken = await holder.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        advisoryLockKey('blocked'),
      ]);
      expect(retaken.rows[0]?.locked).toBe(true);
    });
  });

  it('releases the lock when a migration fails, so the next instance can retry', async () => {
    const database = await createDatabase('failing');
    class Broken1700000000003 implements MigrationInterface {
      name = 'Broken1700000000003';
      async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query('SELECT * FROM no_such_table_anywhere');
      }
      async down(): Promise<void> {
        return undefined;
      }
    }
    const dataSource = await dataSourceFor(database, 'broken', [Broken1700000000003]);
    // TypeORM logs the failed migration with console.log; keep the test output clean.
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await expect(runMigrationsLocked(dataSource, 'broken')).rejects.toThrow(/no_such_table_anywhere/);
    } finally {
      log.mockRestore();
    }
    await withClient(database, async (client) => {
      const result = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
        advisoryLockKey('broken'),
      ]);
      expect(result.rows[0]?.locked).toBe(true);
    });
  });
});

describe('openServiceDatabase', () => {
  it('three instances starting at once each get an initialized data source, migrations applied once', async () => {
    const name = freshDatabaseName('open');
    const schema = 'opened';
    const url = urlFor(name);
    const options = serviceDataSourceOptions({
      url,
      schema,
      entities: [],
      migrations: testMigrations(schema),
      poolSize: 2,
      applicationName: 'newsflow-database-int-spec',
    });
    const created = await Promise.all([1, 2, 3].map(() => ensureDatabaseExists(url)));
    expect(created.filter(Boolean)).toHaveLength(1);
    const sources = await Promise.all([1, 2, 3].map(() => openServiceDatabase(options, schema)));
    openDataSources.push(...sources);

    expect(sources.every((dataSource) => dataSource.isInitialized)).toBe(true);
    const rows: { name: string }[] = await (sources[2] as DataSource).query(
      `SELECT name FROM "${schema}".migrations ORDER BY id`,
    );
    expect(rows.map((row) => row.name)).toEqual(['CreateLedger1700000000001', 'AddThings1700000000002']);
    const ledger: { count: string }[] = await (sources[0] as DataSource).query(
      `SELECT count(*) AS count FROM "${schema}".ledger`,
    );
    expect(ledger[0]?.count).toBe('2');
  });
});

describe('plans of foreign key checks', () => {
  it('follow the parent table as it grows from empty: no scan of the whole parent per child row', async () => {
    const name = freshDatabaseName('fk_plans');
    await ensureDatabaseExists(urlFor(name));
    const dataSource = await dataSourceFor(name, 'fk_plans', []);
    // One connection throughout: Postgres caches the check's plan per connection.
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      expect(await runner.query(`SHOW plan_cache_mode`)).toEqual([{ plan_cache_mode: PLAN_CACHE_MODE }]);
      await runner.query(`CREATE TABLE parent (id integer PRIMARY KEY)`);
      await runner.query(`CREATE TABLE child (parent_id integer NOT NULL REFERENCES parent)`);
      // As a migration may do (storage's did): statistics that say "empty", left as they are when
      // autovacuum is off.
      await runner.query(`ANALYZE parent`);
      await runner.query(`INSERT INTO parent VALUES (1), (2), (3)`);
      // A new database: the first checks run while the parent holds three rows, so a scan is right then.
      for (let row = 0; row < 10; row += 1) await runner.query(`INSERT INTO child VALUES (1)`);
      await runner.query(`INSERT INTO parent SELECT generate_series(4, 50000)`);

      const parentScans = async (): Promise<number> => {
        await runner.query(`SELECT pg_stat_force_next_flush()`);
        await runner.query(`SELECT pg_stat_clear_snapshot()`);
        const [row] = (await runner.query(
          `SELECT seq_scan::integer AS scans FROM pg_stat_user_tables WHERE relname = 'parent'`,
        )) as { scans: number }[];
        return row?.scans ?? -1;
      };
      const before = await parentScans();
      await runner.query(`INSERT INTO child SELECT 1 + (i * 7919) % 50000 FROM generate_series(1, 200) i`);

      expect(await parentScans()).toBe(before);
    } finally {
      await runner.release();
    }
  });
});
