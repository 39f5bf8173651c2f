import { Ctx, Payload } from '@nestjs/microservices';

import { Topic } from '@newsflow/contracts';
import { type ConsumedEvent } from '@newsflow/kafka';
import { KafkaBatchContext, KafkaBatchPattern, KafkaEventController } from '@newsflow/nest-kafka';
import { MetricsService } from '@newsflow/observability';

import { ArticleRepository } from './article.repository';

/**
 * Persists both article topics a chunk at a time: one transaction per chunk, offsets committed after it.
 * Events are written in offset order, so of two enrichments of the same version the later one wins.
 */
@KafkaEventController()
export class ArticleEventsHandler {
  constructor(
    private readonly articles: ArticleRepository,
    private readonly metrics: MetricsService,
  ) {}

  @KafkaBatchPattern(Topic.ArticleIngestedV1)
  async onIngested(
    @Payload() events: ConsumedEvent<typeof Topic.ArticleIngestedV1>[],
    @Ctx() _context: KafkaBatchContext,
  ): Promise<void> {
    await this.articles.saveIngestedBatch(events.map((event) => event.payload));
    this.metrics.articles.inc({ stage: 'storage', outcome: 'success' }, events.length);
  }

  @KafkaBatchPattern(Topic.ArticleEnrichedV1)
  async onEnriched(
    @Payload() events: ConsumedEvent<typeof Topic.ArticleEnrichedV1>[],
    @Ctx() _context: KafkaBatchContext,
  ): Promise<void> {
    await this.articles.saveEnrichedBatch(events.map((event) => event.payload));
    this.metrics.articles.inc({ stage: 'storage_enrichment', outcome: 'success' }, events.length);
    // The batch's transaction has committed: each article is now stored with its enrichment.
    const storedAt = new Date();
    for (const event of events) {
      this.metrics.observeEndToEnd('stored', event.payload.article.firstSeenAt, storedAt);
    }
  }

  /** `notified_at`: the first match of the article with any subscription (a replay keeps the earliest). */
  @KafkaBatchPattern(Topic.NotificationV1)
  async onNotified(
    @Payload() events: ConsumedEvent<typeof Topic.NotificationV1>[],
    @Ctx() _context: KafkaBatchContext,
  ): Promise<void> {
    await this.articles.markNotified(
      events.map((event) => ({ articleId: event.payload.articleId, notifiedAt: event.payload.matchedAt })),
    );
  }
}
