import { type z } from 'zod';

import { ArticleEnrichedV1Schema } from './events/article-enriched';
import { ArticleIngestedV1Schema } from './events/article-ingested';
import { ArticleRejectedV1Schema } from './events/article-rejected';
import { DeadLetterV1Schema } from './events/dead-letter';
import { NotificationV1Schema } from './events/notification';
import { Topic } from './topics';

export type ServiceName = 'ingestion' | 'enrichment' | 'storage' | 'notification';

export interface TopicContract<S extends z.ZodType = z.ZodType> {
  topic: Topic;
  /** CloudEvents `type` of every message on the topic. */
  eventType: string;
  summary: string;
  /** What the message key is, and why: the key decides the partition and so the ordering. */
  key: string;
  schema: S;
  producers: readonly (ServiceName | 'any consumer')[];
  consumers: readonly ServiceName[];
}

/**
 * The single description of every topic: services validate against it, and docs/asyncapi.yaml is
 * generated from it (a test fails when the two drift).
 */
export const TopicContracts = {
  [Topic.ArticleIngestedV1]: {
    topic: Topic.ArticleIngestedV1,
    eventType: 'dev.newsflow.article.ingested.v1',
    summary: 'One message per article parsed from an input file.',
    key: 'Article id (content-derived), so every event about one article lands on one partition, in order.',
    schema: ArticleIngestedV1Schema,
    producers: ['ingestion'],
    consumers: ['enrichment', 'storage'],
  },
  [Topic.ArticleEnrichedV1]: {
    topic: Topic.ArticleEnrichedV1,
    eventType: 'dev.newsflow.article.enriched.v1',
    summary: 'The article with the fields enrichment derived from it.',
    key: 'Article id.',
    schema: ArticleEnrichedV1Schema,
    producers: ['enrichment'],
    consumers: ['storage', 'notification'],
  },
  [Topic.ArticleRejectedV1]: {
    topic: Topic.ArticleRejectedV1,
    eventType: 'dev.newsflow.article.rejected.v1',
    summary: 'An input file that is not an article, with the reason; the file itself is kept aside.',
    key: 'Bucket and object key of the rejected input (`bucket/key`).',
    schema: ArticleRejectedV1Schema,
    producers: ['ingestion'],
    consumers: [],
  },
  [Topic.DeadLetterV1]: {
    topic: Topic.DeadLetterV1,
    eventType: 'dev.newsflow.dead-letter.v1',
    summary:
      'Messages a consumer could not process after its retries: the original key, value and headers, plus dlq_* headers with the failure context.',
    key: 'The original message key.',
    schema: DeadLetterV1Schema,
    producers: ['any consumer'],
    consumers: [],
  },
  [Topic.NotificationV1]: {
    topic: Topic.NotificationV1,
    eventType: 'dev.newsflow.notification.v1',
    summary:
      'An article matched a subscription: one message per (subscription, article), published after the webhook delivery is queued.',
    key: 'Article id, so all matches of one article land on one partition, in order.',
    schema: NotificationV1Schema,
    producers: ['notification'],
    consumers: ['storage'],
  },
} as const satisfies { [T in Topic]: TopicContract & { topic: T } };

export type PayloadOf<T extends Topic> = z.infer<(typeof TopicContracts)[T]['schema']>;

export function contractOf<T extends Topic>(topic: T): (typeof TopicContracts)[T] {
  return TopicContracts[topic];
}
