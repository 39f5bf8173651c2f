import { z } from 'zod';

import { IsoDateTimeSchema } from '../common';
import { ArticleIngestedV1Schema } from '../article-ingested';

export const LanguageGuessSchema = z
  .object({
    code: z.string().describe('ISO 639-1 code, or `und` when undetermined'),
    confidence: z.number().min(0).max(1),
  })
  .describe('Detected language of the article');

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
export type EnrichmentV1 = z.infer<typeof EnrichmentV1Schema>;
export type ArticleEnrichedV1 = z.infer<typeof ArticleEnrichedV1Schema>;
