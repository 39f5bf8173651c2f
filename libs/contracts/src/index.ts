export * from './lib/events/article-enriched';
export * from './lib/events/article-ingested';
export * from './lib/events/article-rejected';
export * from './lib/events/common';
export * from './lib/events/dead-letter';
export * from './lib/headers';
export * from './lib/registry';
export * from './lib/topics';
