import { Ctx, EventPattern, Payload } from '@nestjs/microservices';

import { type ArticleIngestedV1, Topic } from '@newsflow/contracts';
import { enrichArticle } from '@newsflow/enrichment';
import { EventPublisher } from '@newsflow/kafka';
import { KafkaEventContext, KafkaEventController } from '@newsflow/nest-kafka';
import { MetricsService } from '@newsflow/observability';

@KafkaEventController()
export class ArticleEnrichmentHandler {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsService,
  ) {}

  /** Enriches each ingested article and publishes the result; the offset commits after the publish is acknowledged. */
  @EventPattern(Topic.ArticleIngestedV1)
  async onArticleIngested(
    @Payload() article: ArticleIngestedV1,
    @Ctx() context: KafkaEventContext,
  ): Promise<void> {
    const enrichment = enrichArticle(article, { publishedAt: article.publishedAt });
    await this.publisher.publish({
      topic: Topic.ArticleEnrichedV1,
      key: article.id,
      payload: { article, enrichment },
      cause: context.event.metadata,
    });
    this.metrics.articles.inc({ stage: 'enrichment', outcome: 'success' });
  }
}
