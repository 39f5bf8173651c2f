import { createHash } from 'node:crypto';

import { DataSource, type DataSourceOptions, type EntitySchema, type MixedList } from 'typeorm';

import { type PostgresSsl } from './postgres-tls';

// TypeORM accepts entity classes or schemas; classes are typed loosely on its side too.
type EntityTarget = MixedList<string | EntitySchema | (new (...args: never[]) => object)>;
type MigrationClass = new () => object;

export interface ServiceDatabaseOptions {
  url: string;
  /** The Postgres schema this service owns; nobody else writes to it. */
  schema: string;
  entities: EntityTarget;
  /** Imported explicitly (not by glob), so bundlers and compiled output find them. */
  migrations: MigrationClass[];
  poolSize: number;
  applicationName: string;
  /** From `postgresSslFromEnv`; undefined leaves TLS to `sslmode` in the URL. */
  ssl?: PostgresSsl;
}

export function serviceDataSourceOptions(options: ServiceDatabaseOptions): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    schema: options.schema,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'migrations',
    migrationsRun: false,
    synchronize: false,
    applicationName: options.applicationName,
    ...(options.ssl === undefined ? {} : { ssl: options.ssl }),
    extra: {
      max: options.poolSize,
      connectionTimeoutMillis: 5_000,
      options: sessionOptions(process.env['PGOPTIONS']),
    },
  };
}

/**
 * Cached plans are made again at each execution, for the table sizes of the moment. What this is about
 * is Postgres's own foreign key checks: a connection plans each check once and keeps the plan until the
 * parent table's statistics change. When they say "empty" (an ANALYZE while it was, as a storage
 * migration did) and autovacuum is off (as on some development servers) or has not come by yet, a
 * connection that made its first checks on a new database keeps a sequential scan of the parent, and
 * scans the whole table for every child row it inserts: storage writes about twenty per article, and a
 * batch of keywords took 25 s in the end-to-end benchmark. The statements the services send themselves
 * are unnamed, so they are planned at each execution anyway; the cost is a plan per check, microseconds.
 */
export const PLAN_CACHE_MODE = 'force_custom_plan';

/**
 * The `options` a connection starts with: ours after those of PGOPTIONS, which pg would otherwise take
 * and which an explicit value replaces (an operator's `-c lock_timeout=...` must still apply).
 */
export function sessionOptions(fromEnvironment: string | undefined): string {
  return [fromEnvironment?.trim(), `-c plan_cache_mode=${PLAN_CACHE_MODE}`].filter(Boolean).join(' ');
}

/** Stable 64-bit advisory lock key for a schema, so each service's migrations serialize independently. */
export function advisoryLockKey(schema: string): string {
  return BigInt.asIntN(
    64,
    BigInt(`0x${createHash('sha256').update(`newsflow:migrations:${schema}`).digest('hex').slice(0, 16)}`),
  ).toString();
}

/**
 * Runs pending migrations under a Postgres advisory lock: several instances of a service can start
 * at once and exactly one applies each migration.
 */
export async function runMigrationsLocked(dataSource: DataSource, schema: string): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  const key = advisoryLockKey(schema);
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
    await runner.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [key]).catch(() => undefined);
    await runner.release();
  }
}

export async function openServiceDatabase(options: DataSourceOptions, schema: string): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  await runMigrationsLocked(dataSource, schema);
  return dataSource;
}
