export * from './value';
export * from './version';
export * from './entity-id';
