import { z } from 'zod';

import { ArticleIdSchema, CalendarDateSchema, IsoDateTimeSchema } from '../common';
import { EntitySchema } from '../article-enriched';

export const MatchedEntitySchema = z
  .object({
    id: z
      .string()
      .regex(/^[0-9a-f]{32}$/)
      .describe("Entity id as storage computes it: md5 of `TYPE:name` in hex (`/api/entities`' id)"),
    name: z.string().min(1).describe('Canonical name'),
    type: EntitySchema.shape.type,
    salience: z.number().min(0).max(1),
  })
  .describe("An entity of the article that satisfied the subscription's entity filter");

/**
 * One event per (subscription, article) match, published once the webhook delivery is queued. Delivery
 * is at least once: a replayed article publishes its matches again (with a later `matchedAt`), so
 * consumers deduplicate by (subscriptionId, articleId).
 */
export const NotificationV1Schema = z
  .object({
    subscriptionId: z.uuid().describe('The subscription that matched'),
    subscriptionName: z.string().describe('Its name when the match was made'),
    articleId: ArticleIdSchema,
    storyId: ArticleIdSchema.describe(
      'First article of the near-duplicate story (enrichment.nearDuplicate.storyId), or the article itself',
    ),
    publishedAt: CalendarDateSchema.describe('Publication date of the article'),
    matchedTerms: z
      .array(z.string().min(1))
      .describe('Words and phrases of the subscription query (or keywords) found in the article'),
    matchedEntities: z.array(MatchedEntitySchema),
    matchedAt: IsoDateTimeSchema.describe('When notification matched the article'),
  })
  .describe('An article matched a subscription; its webhook delivery is queued');

export type MatchedEntity = z.infer<typeof MatchedEntitySchema>;
export type NotificationV1 = z.infer<typeof NotificationV1Schema>;
