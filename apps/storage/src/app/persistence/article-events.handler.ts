import { Ctx, EventPattern, Payload } from '@nestjs/microservices';

import { type ArticleEnrichedV1, type ArticleIngestedV1, Topic } from '@newsflow/contracts';
import { KafkaEventContext, KafkaEventController } from '@newsflow/nest-kafka';
import { MetricsService } from '@newsflow/observability';

import { ArticleRepository } from './article.repository';

/** Persists both article topics; offsets commit only after the row is written. */
@KafkaEventController()
export class ArticleEventsHandler {
  constructor(
    private readonly articles: ArticleRepository,
    private readonly metrics: MetricsService,
  ) {}

  @EventPattern(Topic.ArticleIngestedV1)
  async onIngested(@Payload() article: ArticleIngestedV1, @Ctx() _context: KafkaEventContext): Promise<void> {
    await this.articles.saveIngested(article);
    this.metrics.articles.inc({ stage: 'storage', outcome: 'success' });
  }

  @EventPattern(Topic.ArticleEnrichedV1)
  async onEnriched(@Payload() event: ArticleEnrichedV1, @Ctx() _context: KafkaEventContext): Promise<void> {
    await this.articles.saveEnriched(event.article, event.enrichment);
    this.metrics.articles.inc({ stage: 'storage_enrichment', outcome: 'success' });
  }
}
