import { z } from 'zod';

import { IsoDateTimeSchema, SourceObjectSchema } from '../common';

export const ArticleRejectedV1Schema = z
  .object({
    source: SourceObjectSchema,
    reason: z.object({
      code: z
        .string()
        .min(1)
        .describe('Stable reason code, e.g. EMPTY, NOT_TEXT, BAD_HEADER, BAD_DATE, EMPTY_BODY'),
      message: z.string().min(1).describe('Human-readable explanation'),
    }),
    keptAt: z.string().min(1).describe('Where the rejected input is kept (path or object key)'),
    firstSeenAt: IsoDateTimeSchema,
    rejectedAt: IsoDateTimeSchema,
  })
  .describe('An input object that is not an article, kept aside with its reason');

export type ArticleRejectedV1 = z.infer<typeof ArticleRejectedV1Schema>;
