import { type INestApplicationContext } from '@nestjs/common';

import { type ArticleEnrichedV1, Topic, contractOf, newEventMetadata } from '@newsflow/contracts';
import { type ConsumedEvent } from '@newsflow/kafka';
import { KafkaBatchContext } from '@newsflow/nest-kafka';

import { ArticleMatchingHandler } from '../article-matching.handler';

/** Hands the events to the app's matching handler as one chunk of partition 0, as the Kafka transport would. */
export async function matchChunk(
  app: INestApplicationContext,
  events: ConsumedEvent<typeof Topic.ArticleEnrichedV1>[],
): Promise<void> {
  const batch = {
    topic: Topic.ArticleEnrichedV1,
    partition: 0,
    events,
    attempt: 1,
    heartbeat: async () => undefined,
  };
  await app.get(ArticleMatchingHandler).onArticlesEnriched(events, new KafkaBatchContext(batch));
}

/** An enriched event as the consumer runtime hands it over: partition 0 at `offset`, a new metadata. */
export function consumedEnriched(
  payload: ArticleEnrichedV1,
  offset: number,
): ConsumedEvent<typeof Topic.ArticleEnrichedV1> {
  return {
    topic: Topic.ArticleEnrichedV1,
    partition: 0,
    offset: String(offset),
    key: payload.article.id,
    payload,
    metadata: newEventMetadata({
      type: contractOf(Topic.ArticleEnrichedV1).eventType,
      source: '/newsflow/test',
    }),
    attempt: 1,
    heartbeat: async () => undefined,
  };
}
