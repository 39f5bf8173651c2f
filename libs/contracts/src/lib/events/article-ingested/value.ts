import { z } from 'zod';

import { ArticleIdSchema, CalendarDateSchema, IsoDateTimeSchema, SourceObjectSchema } from '../common';

export const ArticleIngestedV1Schema = z
  .object({
    id: ArticleIdSchema,
    contentHash: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('sha256 of the normalized article'),
    publishedAt: CalendarDateSchema.describe('Publication date from the article'),
    lede: z.string().min(1).describe('One-sentence lede (subtitle)'),
    paragraphs: z.array(z.string().min(1)).min(1).describe('Body paragraphs, in order'),
    text: z.string().min(1).describe('Body text: the paragraphs joined by blank lines'),
    wordCount: z.number().int().nonnegative().describe('Words in lede and body'),
    title: z.string().min(1).optional().describe('Headline, when the input has one besides the lede'),
    url: z.string().min(1).optional().describe('Where the article was published, as given in the input'),
    author: z.string().min(1).optional(),
    publisher: z
      .string()
      .min(1)
      .optional()
      .describe('Publishing outlet, as given in the input (`source` field)'),
    declaredLanguage: z.string().min(1).optional().describe('Language the input declares, if any'),
    source: SourceObjectSchema,
    parserVersion: z.string().min(1).describe('Version of the parser that read the object'),
    firstSeenAt: IsoDateTimeSchema.describe(
      'When ingestion first saw the object (start of end-to-end latency)',
    ),
    ingestedAt: IsoDateTimeSchema.describe('When the article was published to Kafka'),
  })
  .describe('An article parsed from an input object');

export type ArticleIngestedV1 = z.infer<typeof ArticleIngestedV1Schema>;
