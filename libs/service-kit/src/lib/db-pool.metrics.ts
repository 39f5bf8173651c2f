import { Gauge, type Registry } from 'prom-client';
import { type DataSource } from 'typeorm';

/** The counters node-postgres keeps on a `Pool`. */
export interface PoolCounts {
  /** Connections open, idle or in use. */
  totalCount: number;
  idleCount: number;
  /** Queries queued for a connection: the pool is exhausted while this is above 0. */
  waitingCount: number;
}

/**
 * The pg pool behind a TypeORM DataSource (its postgres driver's `master`), or undefined for another
 * driver or a pool without the counters. TypeORM types the pool as `any`, so its shape is checked.
 */
export function pgPoolOf(dataSource: Pick<DataSource, 'driver'>): PoolCounts | undefined {
  const driver = dataSource.driver as { master?: unknown };
  const pool = driver.master;
  if (typeof pool !== 'object' || pool === null) return undefined;
  const counts = pool as Partial<Record<keyof PoolCounts, unknown>>;
  const numeric = ['totalCount', 'idleCount', 'waitingCount'].every(
    (key) => typeof counts[key as keyof PoolCounts] === 'number',
  );
  return numeric ? (pool as PoolCounts) : undefined;
}

/**
 * `newsflow_db_pool_connections{state}` (total, idle, waiting), read from the pool at scrape time.
 * The pool is looked up at each scrape, since TypeORM creates it when the DataSource initializes.
 */
export function registerDbPoolMetrics(
  registry: Registry,
  pool: () => PoolCounts | undefined,
): Gauge<'state'> {
  const gauge = new Gauge({
    name: 'newsflow_db_pool_connections',
    help: 'Connections of the service Postgres pool: total (open), idle, waiting (queries queued for one)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = pool();
      if (!counts) return;
      gauge.set({ state: 'total' }, counts.totalCount);
      gauge.set({ state: 'idle' }, counts.idleCount);
      gauge.set({ state: 'waiting' }, counts.waitingCount);
    },
  });
  return gauge;
}
