import { type ArticleEnrichedV1, type NotificationV1 } from '@newsflow/contracts';
import { type MatchableEntity, type SubscriptionMatch, entityId } from '@newsflow/subscription-matching';

import { type IndexedSubscription } from '../subscriptions/subscription.repository';

/** Entities in a webhook's article summary: the most salient few are what a reader scans. */
const SUMMARY_ENTITIES = 10;

export interface MatchContext {
  event: ArticleEnrichedV1;
  /** The story the article belongs to: the first article of its near-duplicates, or itself. */
  storyId: string;
  matchedAt: string;
  /** Base URL of the storage API, for the article link. */
  publicApiUrl: string;
  traceparent: string;
}

const entityRef = (entity: MatchableEntity) => ({
  id: entity.id,
  name: entity.name,
  type: entity.type,
  salience: entity.salience,
});

/** The body of the webhook: `article.matched`, with the match and a summary of the article. */
export function webhookPayload(match: SubscriptionMatch<IndexedSubscription>, context: MatchContext): object {
  const { article, enrichment } = context.event;
  return {
    type: 'article.matched',
    timestamp: context.matchedAt,
    data: {
      subscription: { id: match.subscription.id, name: match.subscription.name },
      // The words and phrases found; "keywords" for the receivers written before filters.
      matchedKeywords: match.matchedTerms,
      matchedEntities: match.matchedEntities.map(entityRef),
      article: {
        id: article.id,
        storyId: context.storyId,
        publishedAt: article.publishedAt,
        // When ingestion first saw it: where the end-to-end latency to the delivery starts.
        firstSeenAt: article.firstSeenAt,
        ...(article.title === undefined ? {} : { title: article.title }),
        lede: article.lede,
        language: enrichment.language.code,
        entities: [...(enrichment.entities ?? [])]
          .sort((a, b) => b.salience - a.salience)
          .slice(0, SUMMARY_ENTITIES)
          .map((entity) => ({
            id: entityId(entity.type, entity.name),
            name: entity.name,
            type: entity.type,
          })),
        url: new URL(`/api/articles/${article.id}`, context.publicApiUrl).toString(),
      },
      traceparent: context.traceparent,
    },
  };
}

/** The `news.notifications.v1` event of a match. */
export function notificationEvent(
  match: SubscriptionMatch<IndexedSubscription>,
  context: MatchContext,
): NotificationV1 {
  const { article } = context.event;
  return {
    subscriptionId: match.subscription.id,
    subscriptionName: match.subscription.name,
    articleId: article.id,
    storyId: context.storyId,
    publishedAt: article.publishedAt,
    matchedTerms: match.matchedTerms,
    matchedEntities: match.matchedEntities.map(entityRef),
    matchedAt: context.matchedAt,
  };
}
