export * from './value';
export * from './version';
