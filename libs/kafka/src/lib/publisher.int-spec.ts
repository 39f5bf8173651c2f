/**
 * EventPublisher against a real broker (KAFKA_BROKERS): sends made while one is on its way share the
 * next produce request, and a merged request that fails leaves each caller with its own outcome. The
 * produce requests are counted on the publisher's own kafkajs producer (its instrumentation events).
 */
import { type Kafka, type Producer } from 'kafkajs';

import { Topic } from '@newsflow/contracts';

import {
  deleteTopics,
  readTopicToEnd,
  sampleIngestedArticle,
  testKafkaClient,
  uniqueId,
} from '../testing/kafka-testing';

import { EventPublisher } from './publisher';

const TEST_TIMEOUT_MS = 60_000;

describe('EventPublisher against a real broker', () => {
  let kafka: Kafka;
  let publisher: EventPublisher;
  let produceRequests = 0;
  const topics: string[] = [];

  beforeAll(async () => {
    kafka = testKafkaClient(uniqueId('publisher-int'));
    const createProducer = kafka.producer.bind(kafka);
    jest.spyOn(kafka, 'producer').mockImplementation((config) => {
      const producer: Producer = createProducer(config);
      producer.on(producer.events.REQUEST, (event) => {
        if (event.payload.apiName === 'Produce') produceRequests++;
      });
      return producer;
    });
    publisher = new EventPublisher(kafka, '/newsflow/publisher-int-spec');
    await publisher.connect();
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await publisher?.disconnect();
    await deleteTopics(kafka, topics);
  }, TEST_TIMEOUT_MS);

  /** A fresh one-partition topic; `maxMessageBytes` sets its max.message.bytes. */
  async function privateTopic(maxMessageBytes?: number): Promise<string> {
    const topic = uniqueId('test.publisher');
    topics.push(topic);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: 1,
            replicationFactor: 1,
            configEntries:
              maxMessageBytes === undefined
                ? []
                : [{ name: 'max.message.bytes', value: String(maxMessageBytes) }],
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
    return topic;
  }

  it(
    'sends what callers publish at the same moment in a few produce requests, and every message arrives',
    async () => {
      const topic = await privateTopic();
      const articles = Array.from({ length: 50 }, () => sampleIngestedArticle());
      const before = produceRequests;

      // As ingestion does with single-article files: one publish per caller, all at once.
      await Promise.all(
        articles.map((article) =>
          publisher.publishRaw(topic, { key: article.id, value: JSON.stringify(article), headers: {} }),
        ),
      );

      const requests = produceRequests - before;
      expect(requests).toBeGreaterThanOrEqual(1);
      expect(requests).toBeLessThanOrEqual(3);
      const arrived = await readTopicToEnd(kafka, topic, () => true);
      expect(arrived.map((message) => message.key).sort()).toEqual(
        articles.map((article) => article.id).sort(),
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'keeps the messages of different topics apart when they share a request, and refuses an invalid event before sending',
    async () => {
      const firstTopic = await privateTopic();
      const secondTopic = await privateTopic();
      const article = sampleIngestedArticle();

      // The contract check runs before anything is queued: an invalid payload is never sent.
      await expect(
        publisher.publishMany(Topic.ArticleIngestedV1, [
          { key: 'bad', payload: { ...article, id: 'not-an-id' } },
        ]),
      ).rejects.toThrow('refusing to publish an invalid');
      await Promise.all([
        publisher.publishRaw(firstTopic, { key: 'first-1', value: 'one', headers: {} }),
        publisher.publishRaw(secondTopic, { key: article.id, value: 'two', headers: {} }),
        publisher.publishRaw(firstTopic, { key: 'first-2', value: 'three', headers: {} }),
      ]);

      const first = await readTopicToEnd(kafka, firstTopic, () => true);
      const second = await readTopicToEnd(kafka, secondTopic, () => true);
      expect(first.map((message) => [message.key, message.value?.toString('utf8')])).toEqual([
        ['first-1', 'one'],
        ['first-2', 'three'],
      ]);
      expect(second.map((message) => [message.key, message.value?.toString('utf8')])).toEqual([
        [article.id, 'two'],
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'fails only the caller whose message the broker refuses when their sends were merged',
    async () => {
      const topic = await privateTopic(2_000);
      const small = (index: number) => ({ key: `small-${index}`, value: 'x'.repeat(100), headers: {} });
      const tooLarge = { key: 'too-large', value: 'y'.repeat(10_000), headers: {} };

      const outcomes = await Promise.allSettled([
        publisher.publishRaw(topic, small(1)),
        publisher.publishRaw(topic, small(2)),
        publisher.publishRaw(topic, tooLarge),
        publisher.publishRaw(topic, small(3)),
      ]);

      expect(outcomes.map((outcome) => outcome.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
      ]);
      const arrived = await readTopicToEnd(kafka, topic, () => true);
      expect(arrived.map((message) => message.key).sort()).toEqual(['small-1', 'small-2', 'small-3']);
    },
    TEST_TIMEOUT_MS,
  );
});
