import { Ctx, Payload } from '@nestjs/microservices';

import { type ArticleEnrichedV1, type ArticleIngestedV1, Topic } from '@newsflow/contracts';
import { BatchCoalescer, type ConsumedEvent } from '@newsflow/kafka';
import { KafkaBatchContext, KafkaBatchPattern, KafkaEventController } from '@newsflow/nest-kafka';
import { MetricsService } from '@newsflow/observability';

import { type ArticleNotified, ArticleRepository } from './article.repository';

/**
 * Most rows of one kind written in one transaction when chunks of several partitions are merged: a
 * little over a full chunk, so a lagging consumer still merges a full chunk with a few small ones.
 */
const MAX_MERGED_ROWS = 1_000;

/**
 * Persists the article topics a chunk at a time, offsets committed after the chunk's transaction.
 * Chunks of the partitions handled at the same moment are merged into one transaction per topic (see
 * BatchCoalescer): a consumer that keeps up gets a few messages per partition per fetch, and a
 * transaction each would cost more than the rows. Events are written in offset order within their
 * partition, and an article's events share its partition, so of two enrichments of the same version
 * the later one wins.
 */
@KafkaEventController()
export class ArticleEventsHandler {
  private readonly ingested: BatchCoalescer<ArticleIngestedV1>;
  private readonly enriched: BatchCoalescer<ArticleEnrichedV1>;
  private readonly notified: BatchCoalescer<ArticleNotified>;

  constructor(
    articles: ArticleRepository,
    private readonly metrics: MetricsService,
  ) {
    const merged = { maxItems: MAX_MERGED_ROWS };
    this.ingested = new BatchCoalescer((rows) => articles.saveIngestedBatch(rows), merged);
    this.enriched = new BatchCoalescer(async (rows) => {
      await articles.saveEnrichedBatch(rows);
    }, merged);
    this.notified = new BatchCoalescer(async (rows) => {
      await articles.markNotified(rows);
    }, merged);
  }

  @KafkaBatchPattern(Topic.ArticleIngestedV1)
  async onIngested(
    @Payload() events: ConsumedEvent<typeof Topic.ArticleIngestedV1>[],
    @Ctx() _context: KafkaBatchContext,
  ): Promise<void> {
    await this.ingested.submit(events.map((event) => event.payload));
    this.metrics.articles.inc({ stage: 'storage', outcome: 'success' }, events.length);
  }

  @KafkaBatchPattern(Topic.ArticleEnrichedV1)
  async onEnriched(
    @Payload() events: ConsumedEvent<typeof Topic.ArticleEnrichedV1>[],
    @Ctx() _context: KafkaBatchContext,
  ): Promise<void> {
    await this.enriched.submit(events.map((event) => event.payload));
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
    await this.notified.submit(
      events.map((event) => ({ articleId: event.payload.articleId, notifiedAt: event.payload.matchedAt })),
    );
  }
}
