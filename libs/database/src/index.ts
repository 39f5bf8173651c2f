export * from './lib/data-source';
export * from './lib/ensure-database';
export * from './lib/postgres-tls';
