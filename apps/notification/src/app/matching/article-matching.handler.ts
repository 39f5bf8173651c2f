import { Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type Logger } from 'pino';

import { Topic, traceIdOf } from '@newsflow/contracts';
import { type ConsumedEvent, EventPublisher, type PublishRequest } from '@newsflow/kafka';
import { KafkaBatchContext, KafkaBatchPattern, KafkaEventController } from '@newsflow/nest-kafka';
import { MetricsService, ROOT_LOGGER, startSpan, traceParentOf } from '@newsflow/observability';
import { type SubscriptionMatch, matchableArticle } from '@newsflow/subscription-matching';

import { DeliveryRepository, type EnqueueResult, type NewDelivery } from '../delivery/delivery.repository';
import { DeliveryWorker } from '../delivery/delivery.worker';
import { NOTIFICATION_CONFIG, type NotificationConfig } from '../notification.config';
import { type IndexedSubscription } from '../subscriptions/subscription.repository';
import { type MatchContext, notificationEvent, webhookPayload } from './match-messages';
import { SubscriptionMatcher } from './subscription-matcher';

/**
 * The most articles matched in one call. Each call is one query for the subscriptions' state, one
 * insert into the outbox and one produce request, whatever its size; past a few dozen the saving per
 * article is small, while the chunk's first article waits for the whole chunk before its webhooks can
 * go out, and a chunk that fails for good is handled again one article per call.
 */
export const MATCHING_MAX_BATCH_SIZE = 50;

type EnrichedEvent = ConsumedEvent<typeof Topic.ArticleEnrichedV1>;

interface MatchedArticle {
  event: EnrichedEvent;
  context: MatchContext;
  /** Matches of subscriptions found in the index, in subscription id order. */
  found: SubscriptionMatch<IndexedSubscription>[];
  /** The `traceparent` of the article's CONSUMER span (undefined while tracing is off). */
  consumerSpan: string | undefined;
}

/**
 * Matches enriched articles against the subscription index, a chunk of one partition at a time: queues
 * one delivery per match of an active subscription and publishes the matches on
 * `news.notifications.v1`. The offsets commit once both are done: a failure in between retries the
 * chunk (or its articles one at a time), and the outbox ignores deliveries it has.
 */
@KafkaEventController()
export class ArticleMatchingHandler {
  private readonly logger: Logger;

  constructor(
    @Inject(NOTIFICATION_CONFIG) private readonly config: Pick<NotificationConfig, 'PUBLIC_API_URL'>,
    private readonly matcher: SubscriptionMatcher,
    private readonly deliveries: DeliveryRepository,
    private readonly worker: DeliveryWorker,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsService,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
  ) {
    this.logger = rootLogger.child({ component: 'matching' });
  }

  @KafkaBatchPattern(Topic.ArticleEnrichedV1, { maxBatchSize: MATCHING_MAX_BATCH_SIZE })
  async onArticlesEnriched(
    @Payload() events: EnrichedEvent[],
    @Ctx() batch: KafkaBatchContext,
  ): Promise<void> {
    const matchedAt = new Date().toISOString();
    const matched = events.map((event, index) => this.matchOne(event, matchedAt, batch.traceParentOf(index)));
    const deliveries = matched.flatMap(({ event, context, found }) =>
      found.map((match): NewDelivery => ({
        subscriptionId: match.subscription.id,
        articleId: event.payload.article.id,
        storyId: context.storyId,
        payload: webhookPayload(match, context),
      })),
    );
    // Claimed in the insert and sent at once by this instance. The rest (digests, rate limits, or more
    // than the worker has room for) waits in the outbox for the poll.
    const handOff = this.worker.reserve(deliveries.length);
    let result: EnqueueResult;
    try {
      result = await this.deliveries.enqueueAndClaim(deliveries, handOff);
    } catch (error) {
      handOff.release();
      throw error;
    }
    handOff.start(result.claimed, result.sealedSecrets);
    if (result.waiting > 0) this.worker.wake();
    // Subscriptions paused or disabled since the index was built are left out (the statement checked).
    const { active } = result;
    const accepted = matched.map((article) => ({
      ...article,
      matches: article.found.filter((match) => active.has(match.subscription.id)),
    }));
    const { queued } = result;

    // Published from each article's consumer span, as a handler of one event would.
    const notifications = accepted.flatMap(({ event, context, matches, consumerSpan }) =>
      matches.map((match): Omit<PublishRequest<typeof Topic.NotificationV1>, 'topic'> => ({
        key: event.payload.article.id,
        payload: notificationEvent(match, context),
        cause: event.metadata,
        traceParent: consumerSpan,
      })),
    );
    if (notifications.length > 0) await this.publisher.publishMany(Topic.NotificationV1, notifications);

    for (const { event, matches } of accepted) {
      const { article } = event.payload;
      this.metrics.articles.inc({
        stage: 'notification',
        outcome: matches.length > 0 ? 'success' : 'no_match',
      });
      this.logger[matches.length > 0 ? 'info' : 'debug'](
        {
          articleId: article.id,
          traceId: traceIdOf(event.metadata.traceParent),
          matches: matches.length,
          queued: queued.get(article.id) ?? 0,
        },
        'article matched against the subscriptions',
      );
    }
  }

  /**
   * The index's matches of one article, in a span under its consumer span (`consumerSpan`, undefined
   * while tracing is off).
   */
  private matchOne(
    event: EnrichedEvent,
    matchedAt: string,
    consumerSpan: string | undefined,
  ): MatchedArticle {
    const { article, enrichment } = event.payload;
    const span = startSpan('match subscriptions', {
      parent: consumerSpan ?? event.metadata.traceParent,
      attributes: { 'newsflow.article.id': article.id },
    });
    const found = this.matcher
      .match(matchableArticle(event.payload))
      .sort((a, b) => a.subscription.id.localeCompare(b.subscription.id));
    span.setAttribute('newsflow.matches', found.length);
    span.end();
    const context: MatchContext = {
      event: event.payload,
      storyId: enrichment.nearDuplicate?.storyId ?? article.id,
      matchedAt,
      publicApiUrl: this.config.PUBLIC_API_URL,
      // Tracing on: the delivery attempts become children of the match.
      traceparent: traceParentOf(span) ?? event.metadata.traceParent,
    };
    return { event, context, found, consumerSpan };
  }
}
