export * from './lib/common-env';
export * from './lib/load-config';
