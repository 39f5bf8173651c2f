import { Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';

import { type ArticleEnrichedV1, Topic } from '@newsflow/contracts';
import { KafkaEventContext, KafkaEventController } from '@newsflow/nest-kafka';
import { MetricsService } from '@newsflow/observability';

import { DeliveryRepository } from '../delivery/delivery.repository';
import { NOTIFICATION_CONFIG, type NotificationConfig } from '../notification.config';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { matchKeywords } from './keyword-matcher';

/**
 * Matches each enriched article against the active subscriptions and queues one delivery per match.
 * The offset commits once the deliveries are durable rows; sending happens in the delivery worker.
 */
@KafkaEventController()
export class ArticleMatchingHandler {
  constructor(
    @Inject(NOTIFICATION_CONFIG) private readonly config: NotificationConfig,
    private readonly subscriptions: SubscriptionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly metrics: MetricsService,
  ) {}

  @EventPattern(Topic.ArticleEnrichedV1)
  async onArticleEnriched(
    @Payload() event: ArticleEnrichedV1,
    @Ctx() context: KafkaEventContext,
  ): Promise<void> {
    const { article, enrichment } = event;
    const active = await this.subscriptions.activeKeywordSubscriptions();
    const matches = matchKeywords(`${article.lede}\n${article.text}`, active);
    const subscriptionNames = new Map(active.map((subscription) => [subscription.id, subscription.name]));
    await this.deliveries.enqueue(
      matches.map((match) => ({
        subscriptionId: match.subscriptionId,
        articleId: article.id,
        payload: {
          type: 'article.matched',
          timestamp: new Date().toISOString(),
          data: {
            subscription: {
              id: match.subscriptionId,
              name: subscriptionNames.get(match.subscriptionId) ?? '',
            },
            matchedKeywords: match.matchedKeywords,
            article: {
              id: article.id,
              publishedAt: article.publishedAt,
              lede: article.lede,
              language: enrichment.language.code,
              url: new URL(`/api/articles/${article.id}`, this.config.PUBLIC_API_URL).toString(),
            },
            traceparent: context.event.metadata.traceParent,
          },
        },
      })),
    );
    this.metrics.articles.inc({
      stage: 'notification',
      outcome: matches.length > 0 ? 'success' : 'no_match',
    });
  }
}
