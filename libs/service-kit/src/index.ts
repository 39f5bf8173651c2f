export * from './lib/http-env';
export * from './lib/kafka-wiring';
export * from './lib/run-service';
export * from './lib/database-wiring';
export * from './lib/observability-wiring';
