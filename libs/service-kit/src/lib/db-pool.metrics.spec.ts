import { Registry } from 'prom-client';
import { type DataSource } from 'typeorm';

import { type PoolCounts, pgPoolOf, registerDbPoolMetrics } from './db-pool.metrics';

const dataSourceWith = (master: unknown) => ({ driver: { master } }) as unknown as DataSource;

describe('newsflow_db_pool_connections', () => {
  it('reads total, idle and waiting connections from the pool at each scrape', async () => {
    const registry = new Registry();
    const pool: PoolCounts = { totalCount: 4, idleCount: 1, waitingCount: 0 };
    registerDbPoolMetrics(registry, () => pool);
    expect(await registry.metrics()).toContain('newsflow_db_pool_connections{state="total"} 4');

    pool.totalCount = 10;
    pool.idleCount = 0;
    pool.waitingCount = 7;
    const text = await registry.metrics();
    expect(text).toContain('newsflow_db_pool_connections{state="total"} 10');
    expect(text).toContain('newsflow_db_pool_connections{state="idle"} 0');
    expect(text).toContain('newsflow_db_pool_connections{state="waiting"} 7');
  });

  it('finds the pg pool behind a TypeORM postgres DataSource, and nothing behind another driver', () => {
    const pool = { totalCount: 2, idleCount: 2, waitingCount: 0, connect: () => undefined };
    expect(pgPoolOf(dataSourceWith(pool))).toBe(pool);
    expect(pgPoolOf(dataSourceWith(undefined))).toBeUndefined();
    expect(pgPoolOf(dataSourceWith({ totalCount: '2' }))).toBeUndefined();
  });

  it('exposes nothing while the pool does not exist yet', async () => {
    const registry = new Registry();
    registerDbPoolMetrics(registry, () => undefined);
    expect(await registry.metrics()).not.toMatch(/newsflow_db_pool_connections\{/);
  });
});
