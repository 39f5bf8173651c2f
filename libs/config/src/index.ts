export * from './lib/common-env';
export * from './lib/database-tls-env';
export * from './lib/kafka-security-env';
export * from './lib/load-config';
