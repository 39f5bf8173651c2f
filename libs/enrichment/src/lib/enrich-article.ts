import { type ArticleIngestedV1, type EnrichmentV1 } from '@newsflow/contracts';

import { detectLanguage } from './language';

/** Bump when the enricher's output changes: stored results of older versions are then superseded. */
export const ENRICHMENT_VERSION = 1;

/** A common adult silent-reading speed for non-fiction (words per minute). */
export const READING_WORDS_PER_MINUTE = 230;

export type EnrichableArticle = Pick<ArticleIngestedV1, 'lede' | 'text' | 'wordCount'>;

/** Pure and synchronous: usable from any tool, with or without Kafka. */
export function enrichArticle(article: EnrichableArticle, now: Date = new Date()): EnrichmentV1 {
  return {
    enrichmentVersion: ENRICHMENT_VERSION,
    language: detectLanguage(`${article.lede}\n${article.text}`),
    wordCount: article.wordCount,
    readingTimeSeconds: Math.round((article.wordCount / READING_WORDS_PER_MINUTE) * 60),
    enrichedAt: now.toISOString(),
  };
}
