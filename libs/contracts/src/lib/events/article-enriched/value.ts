import { z } from 'zod';

import { ArticleIdSchema, CalendarDateSchema, IsoDateTimeSchema } from '../common';
import { ArticleIngestedV1Schema } from '../article-ingested';

export const LanguageGuessSchema = z
  .object({
    code: z.string().describe('ISO 639-1 code, or `und` when undetermined'),
    confidence: z.number().min(0).max(1),
  })
  .describe('Detected language of the article');

const OffsetSchema = z
  .tuple([z.number().int().nonnegative(), z.number().int().nonnegative()])
  .describe('Character offsets [start, end) in the article text (the body, not the lede)');

export const PlaceSchema = z
  .object({
    countryCode: z.string().describe('ISO 3166-1 alpha-2 country code'),
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    featureType: z.string().describe('GeoNames feature code (PPLC, PPLA, PPL, ...) or `country`'),
  })
  .describe('Where a location is, from GeoNames-derived data');

export const EntitySchema = z
  .object({
    name: z.string().min(1).describe('Canonical name'),
    type: z.enum(['PERSON', 'ORGANIZATION', 'LOCATION', 'MISC']),
    mentions: z.number().int().positive(),
    salience: z.number().min(0).max(1),
    offsets: z.array(OffsetSchema),
    aliases: z.array(z.string()).optional().describe('Other spellings and short forms found in the text'),
    place: PlaceSchema.optional(),
  })
  .describe('A named entity mentioned in the article');

export const KeywordSchema = z
  .object({ text: z.string().min(1), score: z.number().nonnegative() })
  .describe('A keyphrase with its TF-IDF score');

export const SentimentSchema = z
  .object({
    score: z.number().min(-1).max(1).describe('Overall tone, -1 (negative) to 1 (positive)'),
    positive: z.number().min(0).max(1),
    negative: z.number().min(0).max(1),
  })
  .describe('Lexicon-based tone (AFINN-165)');

export const QuoteSchema = z
  .object({
    text: z.string().min(1),
    speaker: z.string().optional().describe('Canonical name of the speaker entity'),
    offsets: OffsetSchema,
  })
  .describe('A direct quote');

export const AmountSchema = z
  .object({
    text: z.string().min(1),
    value: z.number().describe('Normalised value (money in units, percentages as the number of percent)'),
    unit: z.string().optional().describe('ISO 4217 currency code, or `percent`'),
    object: z.string().optional().describe('What is counted, e.g. `MPs`'),
    offsets: OffsetSchema,
  })
  .describe('A number with what it counts or measures');

export const DateMentionSchema = z
  .object({
    text: z.string().min(1),
    date: CalendarDateSchema.describe('Resolved against the publication date'),
    offsets: OffsetSchema,
  })
  .describe('A date mentioned in the article');

export const NearDuplicateSchema = z
  .object({
    of: ArticleIdSchema.describe('The earliest article seen in the window that this one near-duplicates'),
    distance: z.number().int().min(0).max(64).describe('Hamming distance between the two SimHashes'),
    storyId: ArticleIdSchema.describe(
      'First article of the story: `of`, or the story `of` itself belongs to. Alert once per story by this id',
    ),
  })
  .describe(
    'Set when an earlier article within the enrichment window has a SimHash within the configured distance',
  );

export const EnrichmentV1Schema = z
  .object({
    enrichmentVersion: z
      .number()
      .int()
      .positive()
      .describe('Version of the enricher; a newer version supersedes older results'),
    language: LanguageGuessSchema,
    wordCount: z.number().int().nonnegative(),
    readingTimeSeconds: z.number().int().nonnegative().describe('At 230 words a minute'),
    enrichedAt: IsoDateTimeSchema,
    entities: z.array(EntitySchema).optional(),
    keywords: z.array(KeywordSchema).optional(),
    sentiment: SentimentSchema.optional(),
    quotes: z.array(QuoteSchema).optional(),
    amounts: z.array(AmountSchema).optional(),
    dates: z.array(DateMentionSchema).optional(),
    summary: z.string().optional().describe('Extractive summary: two or three sentences of the article'),
    simhash: z
      .string()
      .regex(/^[0-9a-f]{16}$/)
      .optional()
      .describe('64-bit SimHash of the text, 16 hex characters, for near-duplicate detection'),
    nearDuplicate: NearDuplicateSchema.optional(),
  })
  .describe('Fields the enrichment service derives from an article');

/**
 * The enriched event carries the whole ingested article beside its enrichment, so a consumer that sees
 * it before (or without) the ingested event still has everything it needs.
 */
export const ArticleEnrichedV1Schema = z
  .object({
    article: ArticleIngestedV1Schema,
    enrichment: EnrichmentV1Schema,
  })
  .describe('An article with its enrichment');

export type LanguageGuess = z.infer<typeof LanguageGuessSchema>;
export type Place = z.infer<typeof PlaceSchema>;
export type Entity = z.infer<typeof EntitySchema>;
export type Keyword = z.infer<typeof KeywordSchema>;
export type Sentiment = z.infer<typeof SentimentSchema>;
export type Quote = z.infer<typeof QuoteSchema>;
export type Amount = z.infer<typeof AmountSchema>;
export type DateMention = z.infer<typeof DateMentionSchema>;
export type NearDuplicate = z.infer<typeof NearDuplicateSchema>;
export type EnrichmentV1 = z.infer<typeof EnrichmentV1Schema>;
export type ArticleEnrichedV1 = z.infer<typeof ArticleEnrichedV1Schema>;
