import { Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type Logger } from 'pino';

import { type ArticleEnrichedV1, Topic, traceIdOf } from '@newsflow/contracts';
import { EventPublisher } from '@newsflow/kafka';
import { KafkaEventContext, KafkaEventController } from '@newsflow/nest-kafka';
import { MetricsService, ROOT_LOGGER, startSpan, traceParentOf } from '@newsflow/observability';
import { matchableArticle } from '@newsflow/subscription-matching';

import { DeliveryRepository } from '../delivery/delivery.repository';
import { NOTIFICATION_CONFIG, type NotificationConfig } from '../notification.config';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import { type MatchContext, notificationEvent, webhookPayload } from './match-messages';
import { SubscriptionMatcher } from './subscription-matcher';

/**
 * Matches each enriched article against the subscription index, queues one delivery per match of an
 * active subscription and publishes the matches on `news.notifications.v1`. The offset commits once
 * both are done: a failure in between retries the article, and the outbox ignores deliveries it has.
 */
@KafkaEventController()
export class ArticleMatchingHandler {
  private readonly logger: Logger;

  constructor(
    @Inject(NOTIFICATION_CONFIG) private readonly config: Pick<NotificationConfig, 'PUBLIC_API_URL'>,
    private readonly matcher: SubscriptionMatcher,
    private readonly subscriptions: SubscriptionRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsService,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
  ) {
    this.logger = rootLogger.child({ component: 'matching' });
  }

  @EventPattern(Topic.ArticleEnrichedV1)
  async onArticleEnriched(
    @Payload() event: ArticleEnrichedV1,
    @Ctx() context: KafkaEventContext,
  ): Promise<void> {
    const { article, enrichment } = event;
    const matchSpan = startSpan('match subscriptions', { attributes: { 'newsflow.article.id': article.id } });
    const found = this.matcher.match(matchableArticle(event));
    matchSpan.setAttribute('newsflow.matches', found.length);
    matchSpan.end();
    // The index may be a moment behind a pause on another instance: the database has the last word.
    const active = await this.subscriptions.activeAmong(found.map((match) => match.subscription.id));
    const matches = found
      .filter((match) => active.has(match.subscription.id))
      .sort((a, b) => a.subscription.id.localeCompare(b.subscription.id));

    const storyId = enrichment.nearDuplicate?.storyId ?? article.id;
    const matchContext: MatchContext = {
      event,
      storyId,
      matchedAt: new Date().toISOString(),
      publicApiUrl: this.config.PUBLIC_API_URL,
      // Tracing on: the delivery attempts become children of the match.
      traceparent: traceParentOf(matchSpan) ?? context.event.metadata.traceParent,
    };
    const queued = await this.deliveries.enqueue(
      matches.map((match) => ({
        subscriptionId: match.subscription.id,
        articleId: article.id,
        storyId,
        payload: webhookPayload(match, matchContext),
      })),
    );
    if (matches.length > 0) {
      await this.publisher.publishMany(
        Topic.NotificationV1,
        matches.map((match) => ({
          key: article.id,
          payload: notificationEvent(match, matchContext),
          cause: context.event.metadata,
        })),
      );
    }
    this.metrics.articles.inc({
      stage: 'notification',
      outcome: matches.length > 0 ? 'success' : 'no_match',
    });
    this.logger[matches.length > 0 ? 'info' : 'debug'](
      {
        articleId: article.id,
        traceId: traceIdOf(context.event.metadata.traceParent),
        matches: matches.length,
        queued,
      },
      'article matched against the subscriptions',
    );
  }
}
