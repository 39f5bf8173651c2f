import { type INestApplicationContext } from '@nestjs/common';

import { Topic } from '@newsflow/contracts';
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
