import { type ArticleIngestedV1, CURRENT_ENRICHMENT_VERSION, type EnrichmentV1 } from '@newsflow/contracts';

import { extractAmounts } from './amounts/amounts';
import { extractDates, parseCalendarDate } from './dates/dates';
import { extractEntities } from './entities/entities';
import {
  type DocumentFrequencies,
  type KeyphraseCandidate,
  keywordCandidates,
  rankKeywords,
} from './keywords/keywords';
import { detectLanguage } from './language';
import { extractQuotes } from './quotes/quotes';
import { scoreSentiment } from './sentiment/sentiment';
import { simhash } from './simhash/simhash';
import { summarise } from './summary/summary';
import { analyseText } from './text/tokenize';

/**
 * This enricher's version: stored results of older versions are superseded. Bump it (in the contract,
 * where consumers can read it) when the output changes.
 */
export const ENRICHMENT_VERSION = CURRENT_ENRICHMENT_VERSION;

/** A common adult silent-reading speed for non-fiction (words per minute). */
export const READING_WORDS_PER_MINUTE = 230;

export type EnrichableArticle = Pick<ArticleIngestedV1, 'lede' | 'text' | 'wordCount'> &
  Partial<Pick<ArticleIngestedV1, 'publishedAt'>>;

export interface EnrichOptions {
  /** Publication date (YYYY-MM-DD) that relative dates resolve against; defaults to the article's, then `now`. */
  readonly publishedAt?: string;
  /** Time of the enrichment (`enrichedAt`); defaults to the current time. */
  readonly now?: Date;
  /** Keyphrase document frequencies of the stream so far, for TF-IDF; see `observeDocument`. */
  readonly documentFrequencies?: DocumentFrequencies;
}

/** The language model's cost grows with the text; its first 600 characters (about 100 words) are plenty. */
const LANGUAGE_SAMPLE_CHARS = 600;

function languageSample(text: string): string {
  if (text.length <= LANGUAGE_SAMPLE_CHARS) return text;
  const cut = text.lastIndexOf(' ', LANGUAGE_SAMPLE_CHARS);
  return text.slice(0, cut > 0 ? cut : LANGUAGE_SAMPLE_CHARS);
}

/**
 * Everything the enricher derives from one article on its own, plus what the stream-level steps need:
 * the keyphrase candidates (TF-IDF needs the stream's document frequencies) and the text length they
 * were found in. Plain data, so it crosses a worker-thread boundary.
 */
export interface ArticleAnalysis {
  /** Keywords in it are ranked with the frequencies given in the options (none: every phrase rare). */
  readonly enrichment: EnrichmentV1;
  readonly keyphrases: readonly KeyphraseCandidate[];
  readonly textLength: number;
}

/** Pure and synchronous: usable from any tool, with or without Kafka. */
export function analyseArticle(
  article: EnrichableArticle,
  options: EnrichOptions | Date = {},
): ArticleAnalysis {
  const {
    now = new Date(),
    publishedAt = article.publishedAt,
    documentFrequencies,
  } = options instanceof Date ? { now: options } : options;
  const analysed = analyseText(article.text);
  const reference = parseCalendarDate(publishedAt) ?? now;
  const { entities, mentions } = extractEntities(analysed);
  const dates = extractDates(article.text, reference, analysed.sentences);
  const keyphrases = keywordCandidates(analysed);
  const enrichment: EnrichmentV1 = {
    enrichmentVersion: ENRICHMENT_VERSION,
    language: detectLanguage(`${article.lede}\n${languageSample(article.text)}`),
    wordCount: article.wordCount,
    readingTimeSeconds: Math.round((article.wordCount / READING_WORDS_PER_MINUTE) * 60),
    enrichedAt: now.toISOString(),
    entities,
    keywords: rankKeywords(keyphrases, article.text.length, documentFrequencies),
    sentiment: scoreSentiment(analysed.tokens),
    quotes: extractQuotes(analysed, entities, mentions),
    amounts: extractAmounts(
      article.text,
      dates.map((d) => d.offsets),
    ),
    dates,
    summary: summarise(analysed),
    simhash: simhash(analysed.tokens),
  };
  return { enrichment, keyphrases, textLength: article.text.length };
}

/**
 * Pure and synchronous: usable from any tool, with or without Kafka. Offsets in the result refer to
 * `article.text` (the body); the lede only counts for the language. Near-duplicates need the stream's
 * history, so `nearDuplicate` is left to the caller (the enrichment service sets it).
 */
export function enrichArticle(article: EnrichableArticle, options: EnrichOptions | Date = {}): EnrichmentV1 {
  return analyseArticle(article, options).enrichment;
}
