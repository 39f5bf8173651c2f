/**
 * The matching handler with the subscription index, on the real NotificationModule: subscriptions are
 * created over HTTP, enriched events are handed to the handler as the Kafka transport would, and the
 * outbox rows and the `news.notifications.v1` events (read back from the broker) are checked. A second
 * instance's index (its own connection pool) follows the changes by polling.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';

import {
  type ArticleEnrichedV1,
  type EventMetadata,
  type NotificationV1,
  Topic,
  fromHeaders,
  newEventMetadata,
} from '@newsflow/contracts';
import { openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';
import { type ConsumedEvent } from '@newsflow/kafka';
import { MetricsService } from '@newsflow/observability';
import { entityId, matchableArticle } from '@newsflow/subscription-matching';

import { NOTIFICATION_MIGRATIONS } from '../migrations';
import { NOTIFICATION_SCHEMA } from '../notification.config';
import { SubscriptionEntity } from '../subscriptions/subscription.entity';
import { SubscriptionRepository } from '../subscriptions/subscription.repository';
import {
  type NotificationTestApp,
  startNotificationTestApp,
} from '../subscriptions/testing/notification-test-app';
import { matchChunk } from './testing/match-chunk';
import { SubscriptionMatcher } from './subscription-matcher';

let service: NotificationTestApp;
let receiver: http.Server;
let hookUrl: string;

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  service = await startNotificationTestApp('notif_match', {
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    SUBSCRIPTION_INDEX_REFRESH_MS: '200',
  });
});

afterAll(async () => {
  await service?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
});

const newArticleId = () => randomBytes(16).toString('hex');

function enrichedEvent(id: string, storyId?: string): ArticleEnrichedV1 {
  const text =
    'President Vladimir Putin said the Duma would vote on recognising the two regions. ' +
    'Interest rates were not discussed; NATO said it was watching.';
  return {
    article: {
      id,
      contentHash: randomBytes(32).toString('hex'),
      publishedAt: '2022-02-22',
      lede: 'The decision was passed unanimously by MPs',
      paragraphs: [text],
      text,
      wordCount: 30,
      publisher: 'Reuters',
      source: { bucket: 'local', key: `reuters/${id}.txt`, sizeBytes: 200 },
      parserVersion: 'text/1.0.0',
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      ingestedAt: '2026-01-01T00:00:00.000Z',
    },
    enrichment: {
      enrichmentVersion: 2,
      language: { code: 'en', confidence: 0.99 },
      wordCount: 30,
      readingTimeSeconds: 8,
      enrichedAt: '2026-01-01T00:00:01.000Z',
      entities: [
        { name: 'Vladimir Putin', type: 'PERSON', mentions: 1, salience: 0.5, offsets: [[10, 24]] },
        { name: 'Duma', type: 'ORGANIZATION', mentions: 1, salience: 0.3, offsets: [[33, 37]] },
        { name: 'NATO', type: 'ORGANIZATION', mentions: 1, salience: 0.05, offsets: [[120, 124]] },
      ],
      sentiment: { score: -0.4, positive: 0.1, negative: 0.5 },
      ...(storyId ? { nearDuplicate: { of: storyId, distance: 3, storyId } } : {}),
    },
  };
}

function consumed(
  event: ArticleEnrichedV1,
  offset = 0,
): { event: ConsumedEvent<typeof Topic.ArticleEnrichedV1>; metadata: EventMetadata } {
  const metadata = newEventMetadata({ type: 'dev.newsflow.article.enriched.v1', source: '/newsflow/test' });
  const consumedEvent: ConsumedEvent<typeof Topic.ArticleEnrichedV1> = {
    topic: Topic.ArticleEnrichedV1,
    partition: 0,
    offset: String(offset),
    key: event.article.id,
    payload: event,
    metadata,
    attempt: 1,
    heartbeat: async () => undefined,
  };
  return { event: consumedEvent, metadata };
}

async function createSubscription(name: string, body: Record<string, unknown>): Promise<string> {
  const response = await service.request('/api/subscriptions', {
    method: 'POST',
    body: { name, webhookUrl: hookUrl, ...body },
  });
  if (response.status !== 201)
    throw new Error(`create ${name}: ${response.status} ${JSON.stringify(response.body)}`);
  return (response.body as { id: string }).id;
}

interface DeliveryRow {
  subscription_id: string;
  story_id: string | null;
  payload: {
    type: string;
    data: {
      subscription: { id: string; name: string };
      matchedKeywords: string[];
      matchedEntities: { name: string; id: string }[];
      article: { id: string; storyId: string; url: string; entities: { name: string }[] };
    };
  };
}

async function deliveriesOf(articleId: string): Promise<DeliveryRow[]> {
  return service.dataSource.query(
    `SELECT subscription_id, story_id, payload FROM notification.deliveries WHERE article_id = $1 ORDER BY subscription_id`,
    [articleId],
  );
}

/** Every news.notifications.v1 message of these articles, read from the start of the topic. */
async function notificationsOf(
  articleIds: readonly string[],
  expected: number,
): Promise<{ key: string; payload: NotificationV1; metadata: EventMetadata }[]> {
  const kafka = new Kafka({
    clientId: 'notif-match-spec',
    brokers: service.config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `notif-match-spec-${randomBytes(4).toString('hex')}` });
  const found: { key: string; payload: NotificationV1; metadata: EventMetadata }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: Topic.NotificationV1, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const payload = JSON.parse(message.value?.toString() ?? '{}') as NotificationV1;
        if (articleIds.includes(payload.articleId)) {
          found.push({ key: message.key?.toString() ?? '', payload, metadata: fromHeaders(message.headers) });
        }
      },
    });
    const deadline = Date.now() + 20_000;
    while (found.length < expected && Date.now() < deadline) await sleep(100);
    await sleep(300); // anything beyond the expected count would show up now
  } finally {
    await consumer.disconnect();
  }
  return found;
}

describe('matching enriched articles', () => {
  const ids: Record<string, string> = {};
  const articleId = newArticleId();
  const storyId = newArticleId();
  let cause: EventMetadata;

  beforeAll(async () => {
    ids['keywords'] = await createSubscription('keywords', {
      keywords: ['Vladimir Putin', 'Duma', 'Merkel'],
    });
    ids['rates'] = await createSubscription('rates', { filter: { query: '"interest rates" AND ECB' } });
    ids['entity'] = await createSubscription('entity', {
      filter: {
        entities: {
          items: [{ id: entityId('PERSON', 'Vladimir Putin') }, { name: 'nato' }],
          minSalience: 0.1,
        },
      },
    });
    ids['german'] = await createSubscription('german', {
      filter: { languages: ['de'], keywords: ['Putin'] },
    });
    ids['negative'] = await createSubscription('negative', {
      filter: { query: 'putin -crypto', sentiment: { max: -0.1 }, sources: { publishers: ['reuters'] } },
    });
    ids['paused'] = await createSubscription('paused', { keywords: ['Putin'] });
    ids['excluded'] = await createSubscription('excluded', { filter: { query: 'Putin NOT Duma' } });
    expect(
      (await service.request(`/api/subscriptions/${ids['paused']}/pause`, { method: 'POST' })).status,
    ).toBe(200);

    // No wait: this instance's index was rebuilt before each API call answered.
    const { event, metadata } = consumed(enrichedEvent(articleId, storyId));
    cause = metadata;
    await matchChunk(service.app, [event]);
  });

  it('queues exactly one delivery per matching active subscription, with the story id', async () => {
    const rows = await deliveriesOf(articleId);
    expect(rows.map((row) => row.subscription_id).sort()).toEqual(
      [ids['keywords'], ids['entity'], ids['negative']].sort(),
    );
    for (const row of rows) expect(row.story_id).toBe(storyId);
    const byName = new Map(rows.map((row) => [row.payload.data.subscription.name, row.payload]));
    expect(byName.get('keywords')?.data.matchedKeywords).toEqual(['Vladimir Putin', 'Duma']);
    expect(byName.get('entity')?.data.matchedEntities.map((entity) => entity.name)).toEqual([
      'Vladimir Putin',
    ]);
    expect(byName.get('negative')?.data.matchedKeywords).toEqual(['putin']);
    expect(byName.get('keywords')).toMatchObject({
      type: 'article.matched',
      data: {
        article: {
          id: articleId,
          storyId,
          url: `http://127.0.0.1:3002/api/articles/${articleId}`,
          entities: [{ name: 'Vladimir Putin' }, { name: 'Duma' }, { name: 'NATO' }],
        },
      },
    });
  });

  it('publishes one news.notifications.v1 event per match, keyed by the article, caused by the enriched event', async () => {
    const events = await notificationsOf([articleId], 3);
    expect(events.map((event) => event.payload.subscriptionName).sort()).toEqual([
      'entity',
      'keywords',
      'negative',
    ]);
    for (const event of events) {
      expect(event.key).toBe(articleId);
      expect(event.metadata).toMatchObject({
        type: 'dev.newsflow.notification.v1',
        causationId: cause.id,
        correlationId: cause.correlationId,
      });
      expect(event.payload).toMatchObject({
        articleId,
        storyId,
        publishedAt: '2022-02-22',
        matchedAt: expect.any(String),
      });
    }
    const entity = events.find((event) => event.payload.subscriptionName === 'entity')?.payload;
    expect(entity?.matchedEntities).toEqual([
      { id: entityId('PERSON', 'Vladimir Putin'), name: 'Vladimir Putin', type: 'PERSON', salience: 0.5 },
    ]);
  });

  it('a replay of the article queues nothing new', async () => {
    await matchChunk(service.app, [consumed(enrichedEvent(articleId, storyId)).event]);
    expect(await deliveriesOf(articleId)).toHaveLength(3);
  });

  it('without a near-duplicate the article is its own story; no match, no event', async () => {
    const alone = newArticleId();
    const event = enrichedEvent(alone);
    await matchChunk(service.app, [consumed(event).event]);
    expect((await deliveriesOf(alone)).every((row) => row.story_id === alone)).toBe(true);

    const unmatched = newArticleId();
    const boring = enrichedEvent(unmatched);
    boring.article.text = 'Nothing to see here.';
    boring.article.paragraphs = [boring.article.text];
    boring.enrichment.entities = [];
    await matchChunk(service.app, [consumed(boring).event]);
    expect(await deliveriesOf(unmatched)).toEqual([]);
    expect(await notificationsOf([unmatched], 0)).toEqual([]);
  });
});

describe('the index of another instance', () => {
  it('follows creates, pauses and deletes within the refresh interval', async () => {
    const dataSource = await openServiceDatabase(
      serviceDataSourceOptions({
        url: service.config.DATABASE_URL,
        schema: NOTIFICATION_SCHEMA,
        entities: [SubscriptionEntity],
        migrations: NOTIFICATION_MIGRATIONS,
        poolSize: 2,
        applicationName: 'notif-match-second-instance',
      }),
      NOTIFICATION_SCHEMA,
    );
    const other = new SubscriptionMatcher(
      { SUBSCRIPTION_INDEX_REFRESH_MS: 200 },
      new SubscriptionRepository(dataSource),
      pino({ level: 'silent' }),
      new MetricsService(),
    );
    await other.onApplicationBootstrap();
    const article = matchableArticle({
      ...enrichedEvent(newArticleId()),
      article: {
        ...enrichedEvent(newArticleId()).article,
        text: 'A zeppelin landed.',
        paragraphs: ['A zeppelin landed.'],
      },
    });
    const matchedNames = () => other.match(article).map((match) => match.subscription.name);
    const within = async (ms: number, condition: () => boolean) => {
      const deadline = Date.now() + ms;
      while (!condition()) {
        if (Date.now() > deadline) return false;
        await sleep(50);
      }
      return true;
    };
    try {
      expect(matchedNames()).not.toContain('zeppelins');
      const id = await createSubscription('zeppelins', { keywords: ['zeppelin'] });
      expect(await within(2_000, () => matchedNames().includes('zeppelins'))).toBe(true);
      await service.request(`/api/subscriptions/${id}/pause`, { method: 'POST' });
      expect(await within(2_000, () => !matchedNames().includes('zeppelins'))).toBe(true);
      await service.request(`/api/subscriptions/${id}/resume`, { method: 'POST' });
      expect(await within(2_000, () => matchedNames().includes('zeppelins'))).toBe(true);
      await service.request(`/api/subscriptions/${id}`, { method: 'DELETE' });
      expect(await within(2_000, () => !matchedNames().includes('zeppelins'))).toBe(true);
    } finally {
      other.beforeApplicationShutdown();
      await dataSource.destroy();
    }
  });
});
