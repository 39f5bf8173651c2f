export * from './lib/health-checks';
export * from './lib/health.controller';
export * from './lib/metrics.service';
export * from './lib/observability.module';
export * from './lib/root-logger';
export * from './lib/tracing';
export * from './lib/http-metrics.middleware';
