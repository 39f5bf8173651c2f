/**
 * Kafka topics are a public, versioned contract: other teams subscribe to them. A breaking change to a
 * payload is a new topic version (`.v2`), never an edit in place. Adding an optional field is not breaking:
 * consumers must ignore fields they do not know.
 */
export const Topic = {
  ArticleIngestedV1: 'news.articles.ingested.v1',
  ArticleEnrichedV1: 'news.articles.enriched.v1',
  ArticleRejectedV1: 'news.articles.rejected.v1',
  DeadLetterV1: 'news.dlq.v1',
  NotificationV1: 'news.notifications.v1',
} as const;

export type Topic = (typeof Topic)[keyof typeof Topic];

export const ALL_TOPICS: readonly Topic[] = Object.values(Topic);

export function isTopic(value: string): value is Topic {
  return (ALL_TOPICS as readonly string[]).includes(value);
}
