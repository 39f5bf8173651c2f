export * from './lib/enrich-article';
export * from './lib/language';
export { analyseText, type AnalysedText, type Sentence, type Token } from './lib/text/tokenize';
export { extractEntities, type EntityMention, type EntityResult } from './lib/entities/entities';
export { preloadGazetteer } from './lib/entities/gazetteer';
export {
  createDocumentFrequencies,
  extractKeywords,
  keywordCandidates,
  observeDocument,
  rankKeywords,
  type DocumentFrequencies,
  type KeyphraseCandidate,
} from './lib/keywords/keywords';
export { extractAmounts } from './lib/amounts/amounts';
export { extractDates } from './lib/dates/dates';
export { extractQuotes } from './lib/quotes/quotes';
export { scoreSentiment } from './lib/sentiment/sentiment';
export { hammingDistance, simhash } from './lib/simhash/simhash';
export { summarise } from './lib/summary/summary';
export {
  EnrichmentWorkerPool,
  type AnalyseInWorkerOptions,
  type EnrichmentWorkerPoolOptions,
  type EnrichmentWorkerPoolStatus,
} from './lib/worker/enrichment-worker-pool';
export * from './lib/worker/errors';
