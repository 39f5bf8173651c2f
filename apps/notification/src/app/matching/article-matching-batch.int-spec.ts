/**
 * The matching handler a chunk at a time, on the real NotificationModule (DATABASE_URL, KAFKA_BROKERS):
 * one subscriptions query, one outbox insert and one produce request per chunk; new webhooks handed to
 * the delivery worker at once (the poll interval is a minute here, so only the hand-off or a wake-up
 * can send them in time); and, through the real Kafka transport on a topic of its own, a poison
 * article in a chunk dead-lettered alone while the others are matched.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { type IHeaders, Kafka, logLevel } from 'kafkajs';

import {
  type ArticleEnrichedV1,
  DeadLetterHeader,
  type NotificationV1,
  Topic,
  contractOf,
  headerString,
  newEventMetadata,
  toHeaders,
} from '@newsflow/contracts';
import { EventPublisher, ensureTopics, silentLogger } from '@newsflow/kafka';
import { KAFKA_CLIENT, KafkaConsumerTransport, connectKafkaConsumer } from '@newsflow/nest-kafka';

import { DeliveryRepository } from '../delivery/delivery.repository';
import { type ReceivedRequest, verifiesSignature } from '../delivery/testing/delivery-test-support';
import {
  type NotificationTestApp,
  startNotificationTestApp,
} from '../subscriptions/testing/notification-test-app';
import { consumedEnriched, matchChunk } from './testing/match-chunk';

const TIMEOUT_MS = 60_000;

let service: NotificationTestApp;
let receiver: http.Server;
let hookUrl: string;
/** Article ids of the webhooks received. */
const received: string[] = [];
/** The requests themselves, for their signatures. */
const webhookRequests: ReceivedRequest[] = [];

beforeAll(async () => {
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        data: { article: { id: string } };
      };
      received.push(body.data.article.id);
      webhookRequests.push({
        webhookId: String(request.headers['webhook-id']),
        headers: request.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
        answer: 204,
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  service = await startNotificationTestApp('notif_batch', {
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_POLL_INTERVAL_MS: '60000',
  });
}, TIMEOUT_MS);

afterAll(async () => {
  await service?.close();
  await new Promise<void>((resolve) => receiver?.close(() => resolve()));
}, TIMEOUT_MS);

const newArticleId = () => randomBytes(16).toString('hex');

function enrichedEvent(text: string): ArticleEnrichedV1 {
  const id = newArticleId();
  return {
    article: {
      id,
      contentHash: randomBytes(32).toString('hex'),
      publishedAt: '2022-02-22',
      lede: 'A lede',
      paragraphs: [text],
      text,
      wordCount: text.split(' ').length,
      publisher: 'Reuters',
      source: { bucket: 'local', key: `reuters/${id}.txt`, sizeBytes: 200 },
      parserVersion: 'text/1.0.0',
      firstSeenAt: new Date().toISOString(),
      ingestedAt: new Date().toISOString(),
    },
    enrichment: {
      enrichmentVersion: 2,
      language: { code: 'en', confidence: 0.99 },
      wordCount: text.split(' ').length,
      readingTimeSeconds: 8,
      enrichedAt: new Date().toISOString(),
      entities: [],
      sentiment: { score: 0, positive: 0.1, negative: 0.1 },
    },
  };
}

/** Signing secrets of the subscriptions created, by id. */
const signingSecrets = new Map<string, string>();

async function createSubscription(name: string, body: Record<string, unknown>): Promise<string> {
  const response = await service.request('/api/subscriptions', {
    method: 'POST',
    body: { name, webhookUrl: hookUrl, ...body },
  });
  if (response.status !== 201)
    throw new Error(`create ${name}: ${response.status} ${JSON.stringify(response.body)}`);
  const { id, signingSecret } = response.body as { id: string; signingSecret: string };
  signingSecrets.set(id, signingSecret);
  return id;
}

async function deliveriesOf(articleId: string): Promise<{ subscription_id: string; status: string }[]> {
  return service.dataSource.query(
    `SELECT subscription_id, status FROM notification.deliveries WHERE article_id = $1 ORDER BY subscription_id`,
    [articleId],
  );
}

async function within(ms: number, condition: () => Promise<boolean> | boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Messages of a topic read from its start until `done` says enough (or the timeout). */
async function readTopic<T>(
  topic: string,
  pick: (message: { key: string; value: string; headers: IHeaders }) => T | undefined,
  done: (found: T[]) => boolean,
): Promise<T[]> {
  const kafka = new Kafka({
    clientId: 'notif-batch-spec',
    brokers: service.config.KAFKA_BROKERS,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({
    groupId: `notif-batch-spec-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 500,
  });
  const found: T[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 6,
      eachMessage: async ({ message }) => {
        const value = pick({
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          headers: message.headers ?? {},
        });
        if (value !== undefined) found.push(value);
      },
    });
    await within(30_000, () => done(found));
    await sleep(500); // anything beyond what was expected would show up now
  } finally {
    await consumer.disconnect();
  }
  return found;
}

describe('matching a chunk of articles', () => {
  let putin: string;
  let zeppelin: string;

  beforeAll(async () => {
    putin = await createSubscription('putin', { keywords: ['Putin'] });
    zeppelin = await createSubscription('zeppelin', { keywords: ['zeppelin'] });
  }, TIMEOUT_MS);

  it(
    'one statement and one publish for the chunk; each article gets its own matches, events and webhooks',
    async () => {
      const first = consumedEnriched(enrichedEvent('Vladimir Putin spoke in Moscow.'), 10);
      const nothing = consumedEnriched(enrichedEvent('Nothing to see here.'), 11);
      const both = consumedEnriched(enrichedEvent('Putin watched a zeppelin land.'), 12);
      const enqueue = jest.spyOn(service.app.get(DeliveryRepository), 'enqueueAndClaim');
      const publish = jest.spyOn(service.app.get(EventPublisher), 'publishMany');
      let calls: { enqueue: number; publish: typeof publish.mock.calls };
      try {
        await matchChunk(service.app, [first, nothing, both]);
        calls = {
          enqueue: enqueue.mock.calls.length,
          publish: [...publish.mock.calls],
        };
      } finally {
        enqueue.mockRestore();
        publish.mockRestore();
      }
      expect(calls.enqueue).toBe(1);
      expect(calls.publish).toHaveLength(1);

      const ids = [first, nothing, both].map((event) => event.payload.article.id);
      expect((await deliveriesOf(ids[0] as string)).map((row) => row.subscription_id)).toEqual([putin]);
      expect(await deliveriesOf(ids[1] as string)).toEqual([]);
      expect((await deliveriesOf(ids[2] as string)).map((row) => row.subscription_id)).toEqual(
        [putin, zeppelin].sort(),
      );

      // Sent by the hand-off: the poll would not come for a minute.
      const webhooksOfChunk = () => received.filter((id) => ids.includes(id));
      expect(await within(5_000, () => webhooksOfChunk().length >= 3)).toBe(true);
      expect(webhooksOfChunk().sort()).toEqual([ids[0], ids[2], ids[2]].sort());
      // Signed with each subscription's secret, read with the claim.
      const ofChunk = webhookRequests.filter((request) => ids.some((id) => request.body.includes(id)));
      expect(ofChunk).toHaveLength(3);
      for (const request of ofChunk) {
        const { data } = JSON.parse(request.body.toString('utf8')) as {
          data: { subscription: { id: string } };
        };
        expect(verifiesSignature(signingSecrets.get(data.subscription.id) ?? '', request)).toBe(true);
      }
      expect(
        await within(5_000, async () =>
          [...(await deliveriesOf(ids[0] as string)), ...(await deliveriesOf(ids[2] as string))].every(
            (row) => row.status === 'delivered',
          ),
        ),
      ).toBe(true);

      // One produce request with an event per match, each caused by its own article's event.
      const [topic, requests] = calls.publish[0] ?? [];
      expect(topic).toBe(Topic.NotificationV1);
      const published = (requests ?? []).map((request) => ({
        key: request.key,
        articleId: (request.payload as NotificationV1).articleId,
        causeId: request.cause?.id,
      }));
      expect(published.sort((a, b) => a.key.localeCompare(b.key))).toEqual(
        [first, both, both]
          .map((event) => ({
            key: event.payload.article.id,
            articleId: event.payload.article.id,
            causeId: event.metadata.id,
          }))
          .sort((a, b) => a.key.localeCompare(b.key)),
      );
    },
    TIMEOUT_MS,
  );

  it(
    'a delivery the insert could not claim (a rate-limited subscription) wakes the poll instead of waiting for it',
    async () => {
      await createSubscription('limited', { keywords: ['limited'], rateLimitPerMinute: 100 });
      const event = consumedEnriched(enrichedEvent('A limited edition.'), 20);
      await matchChunk(service.app, [event]);
      expect(await within(5_000, () => received.includes(event.payload.article.id))).toBe(true);
    },
    TIMEOUT_MS,
  );
});

describe('a poison article in a chunk, through the Kafka transport', () => {
  const topic = `test.notification.enriched.${randomBytes(4).toString('hex')}`;
  const groupId = `notif-batch-poison-${randomBytes(4).toString('hex')}`;
  let kafka: Kafka;

  beforeAll(async () => {
    kafka = service.app.get<Kafka>(KAFKA_CLIENT);
    await ensureTopics(kafka, { topics: [topic], partitions: 1, replicationFactor: 1, logger: silentLogger });
  }, TIMEOUT_MS);

  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).finally(() => admin.disconnect());
  }, TIMEOUT_MS);

  it(
    'goes to the dead-letter topic alone; the others in its chunk are matched and delivered',
    async () => {
      await createSubscription('poison-watch', { keywords: ['tangerine'] });
      const good = [enrichedEvent('A tangerine fell.'), enrichedEvent('Another tangerine fell.')];
      // A NUL character passes the contract but not Postgres (jsonb): the chunk's insert fails for good.
      const poison = enrichedEvent('A poisoned tangerine.');
      poison.article.lede = 'nul \u0000 byte';
      const publisher = service.app.get(EventPublisher);
      for (const event of [good[0], poison, good[1]] as ArticleEnrichedV1[]) {
        await publisher.publishRaw(topic, {
          key: event.article.id,
          value: JSON.stringify(event),
          headers: toHeaders(
            newEventMetadata({
              type: contractOf(Topic.ArticleEnrichedV1).eventType,
              source: '/newsflow/test',
            }),
          ),
        });
      }
      // Connected after publishing: the first fetch holds all three, as one chunk.
      connectKafkaConsumer(
        service.app,
        new KafkaConsumerTransport({
          kafka,
          groupId,
          stage: 'notification',
          publisher,
          logger: silentLogger,
          retryPolicy: { maxAttempts: 2, initialBackoffMs: 50, maxBackoffMs: 100 },
          topicNames: { [Topic.ArticleEnrichedV1]: topic },
        }),
      );
      await service.app.startAllMicroservices();

      const letters = await readTopic(
        Topic.DeadLetterV1,
        ({ key, headers }) =>
          headerString(headers, DeadLetterHeader.ConsumerGroup) === groupId
            ? { key, code: headerString(headers, DeadLetterHeader.ErrorCode) }
            : undefined,
        (found) => found.length >= 1,
      );
      expect(letters).toEqual([{ key: poison.article.id, code: expect.stringMatching(/^DB_/) }]);
      for (const event of good) {
        expect(
          await within(10_000, async () =>
            (await deliveriesOf(event.article.id)).some((row) => row.status === 'delivered'),
          ),
        ).toBe(true);
      }
      expect(await deliveriesOf(poison.article.id)).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
