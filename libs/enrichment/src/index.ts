export * from './lib/enrich-article';
export * from './lib/language';
