/**
 * KafkaConsumerTransport inside a real Nest application, against a real broker (KAFKA_BROKERS).
 * The consumer group is unique per run, and the handler only acts on this run's article ids: earlier
 * runs' messages on the shared contract topics are read too (a fresh group starts from the beginning).
 *
 * The helpers are local on purpose: the Kafka lib's test helpers are not part of its public API, and
 * module boundaries forbid reaching into another project by relative path.
 */
import 'reflect-metadata';

import { createHash, randomBytes } from 'node:crypto';

import { Controller, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type IHeaders, type Kafka } from 'kafkajs';

import {
  ALL_TOPICS,
  type ArticleIngestedV1,
  DeadLetterHeader,
  Topic,
  contractOf,
  headerString,
  newEventMetadata,
  toHeaders,
} from '@newsflow/contracts';
import {
  type ConsumedEvent,
  EventPublisher,
  PermanentError,
  createKafkaClient,
  ensureTopics,
  silentLogger,
} from '@newsflow/kafka';

import { KafkaBatchPattern } from './kafka-batch-pattern';
import {
  KafkaEventController,
  KafkaConsumerTransport,
  connectKafkaConsumer,
} from './kafka-consumer.transport';
import { KafkaBatchContext, KafkaEventContext } from './kafka-event.context';

const TEST_TIMEOUT_MS = 60_000;

function requireBrokers(): string[] {
  const brokers = (process.env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (brokers.length === 0) {
    throw new Error(
      'KAFKA_BROKERS is not set: the Kafka integration tests need a running broker, e.g. ' +
        '`KAFKA_BROKERS=127.0.0.1:19092 npx jest -c jest.integration.config.ts` (`npm test` starts one and sets it)',
    );
  }
  return brokers;
}

const uniqueId = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

function sampleIngestedArticle(): ArticleIngestedV1 {
  const contentHash = createHash('sha256').update(randomBytes(32)).digest('hex');
  const now = new Date().toISOString();
  return {
    id: contentHash.slice(0, 32),
    contentHash,
    publishedAt: '2022-02-22',
    lede: 'A lede for a Nest transport test',
    paragraphs: ['One paragraph.'],
    text: 'One paragraph.',
    wordCount: 9,
    source: { bucket: 'local', key: `tests/${contentHash.slice(0, 8)}.txt`, sizeBytes: 100 },
    parserVersion: 'test-1',
    firstSeenAt: now,
    ingestedAt: now,
  };
}

async function eventually<T>(
  description: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface DeadLetter {
  key: string | null;
  value: string | undefined;
  headers: Record<string, string | undefined>;
}

/** The first dead letter on news.dlq.v1 matching `predicate`, read with a plain kafkajs consumer. */
async function waitForDeadLetter(
  kafka: Kafka,
  predicate: (letter: DeadLetter) => boolean,
  timeoutMs = 30_000,
): Promise<DeadLetter> {
  const consumer = kafka.consumer({
    groupId: uniqueId('nest-kafka-dlq-reader'),
    allowAutoTopicCreation: false,
    // Short fetch waits: disconnecting waits for the fetch in flight.
    maxWaitTimeInMs: 500,
  });
  let found: DeadLetter | undefined;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [Topic.DeadLetterV1], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 6,
      eachMessage: async ({ message }) => {
        const headers: Record<string, string | undefined> = {};
        for (const name of Object.keys(message.headers ?? {})) {
          headers[name] = headerString(message.headers as IHeaders, name);
        }
        const letter = {
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8'),
          headers,
        };
        if (found === undefined && predicate(letter)) found = letter;
      },
    });
    return await eventually('the dead letter', () => found, timeoutMs);
  } finally {
    await consumer.disconnect();
  }
}

/** What the controller saw; the controller is created by Nest, so the test reads it from here. */
const seen = {
  /** Article ids the controller must record. */
  recordIds: new Set<string>(),
  /** Article ids the controller must fail with a PermanentError('BOOM'). */
  boomIds: new Set<string>(),
  received: [] as { payload: ArticleIngestedV1; context: KafkaEventContext }[],
  boomAttempts: 0,
};

@KafkaEventController()
class ArticleEventsController {
  @EventPattern(Topic.ArticleIngestedV1)
  async onIngested(@Payload() payload: ArticleIngestedV1, @Ctx() context: KafkaEventContext): Promise<void> {
    if (seen.boomIds.has(payload.id)) {
      seen.boomAttempts += 1;
      throw new PermanentError('BOOM', 'x');
    }
    if (seen.recordIds.has(payload.id)) seen.received.push({ payload, context });
    // Anything else is another run's message: consumed without a trace.
  }
}

@Module({ controllers: [ArticleEventsController] })
class TestAppModule {}

/** The control: the same kind of handler without KafkaEventController, so without the rethrowing filter. */
const plainSeen = { boomIds: new Set<string>(), boomAttempts: 0 };

@Controller()
class PlainController {
  @EventPattern(Topic.ArticleIngestedV1)
  async onIngested(@Payload() payload: ArticleIngestedV1): Promise<void> {
    if (plainSeen.boomIds.has(payload.id)) {
      plainSeen.boomAttempts += 1;
      throw new PermanentError('BOOM', 'x');
    }
  }
}

@Module({ controllers: [PlainController] })
class PlainAppModule {}

/** A Nest app with the Kafka consumer transport attached and started, as services run it. */
async function startApp(
  module: new () => object,
  input: {
    kafka: Kafka;
    publisher: EventPublisher;
    groupId: string;
    topicNames?: Partial<Record<Topic, string>>;
  },
): Promise<INestApplication> {
  const app = await NestFactory.create(module, { logger: false, abortOnError: false });
  try {
    connectKafkaConsumer(
      app,
      new KafkaConsumerTransport({
        kafka: input.kafka,
        groupId: input.groupId,
        stage: 'nest-int-test',
        publisher: input.publisher,
        logger: silentLogger,
        retryPolicy: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 200 },
        topicNames: input.topicNames,
      }),
    );
    await app.init();
    await app.startAllMicroservices();
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}

describe('KafkaConsumerTransport in a Nest application', () => {
  let kafka: Kafka;
  let publisher: EventPublisher;
  let app: INestApplication | undefined;
  const groupId = uniqueId('it-nest-kafka');

  beforeAll(async () => {
    kafka = createKafkaClient({
      clientId: uniqueId('nest-kafka-int'),
      brokers: requireBrokers(),
      logger: silentLogger,
    });
    await ensureTopics(kafka, {
      topics: ALL_TOPICS,
      partitions: 6,
      replicationFactor: 1,
      logger: silentLogger,
    });
    publisher = new EventPublisher(kafka, '/newsflow/nest-kafka-int-spec');
    await publisher.connect();

    app = await startApp(TestAppModule, { kafka, publisher, groupId });
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await app?.close();
    } finally {
      await publisher?.disconnect();
    }
  }, TEST_TIMEOUT_MS);

  it(
    'hands a valid article to the @EventPattern handler with a KafkaEventContext',
    async () => {
      const article = sampleIngestedArticle();
      seen.recordIds.add(article.id);

      const metadata = await publisher.publish({
        topic: Topic.ArticleIngestedV1,
        key: article.id,
        payload: article,
      });
      const { payload, context } = await eventually('the handler to receive the article', () =>
        seen.received.find((entry) => entry.payload.id === article.id),
      );

      expect(payload).toEqual(article);
      expect(context).toBeInstanceOf(KafkaEventContext);
      expect(context.event.metadata.id).toBe(metadata.id);
      expect(context.event.metadata.correlationId).toBe(metadata.id);
      expect(context.event.key).toBe(article.id);
      expect(context.event.topic).toBe(Topic.ArticleIngestedV1);
      expect(context.event.attempt).toBe(1);
      expect(context.getArgs()).toEqual([context.event]);
      expect(seen.received.filter((entry) => entry.payload.id === article.id)).toHaveLength(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "dead-letters a handler's PermanentError with its own code (Nest does not swallow it)",
    async () => {
      const article = sampleIngestedArticle();
      seen.boomIds.add(article.id);

      await publisher.publish({ topic: Topic.ArticleIngestedV1, key: article.id, payload: article });
      const letter = await waitForDeadLetter(
        kafka,
        (candidate) =>
          candidate.key === article.id && candidate.headers[DeadLetterHeader.ConsumerGroup] === groupId,
      );

      expect(letter.headers).toMatchObject({
        [DeadLetterHeader.ErrorCode]: 'BOOM',
        [DeadLetterHeader.ErrorMessage]: 'x',
        [DeadLetterHeader.Attempts]: '1',
        [DeadLetterHeader.Stage]: 'nest-int-test',
        [DeadLetterHeader.OriginalTopic]: Topic.ArticleIngestedV1,
      });
      expect(JSON.parse(letter.value ?? 'null')).toEqual(article);
      // A PermanentError is not retried: one attempt only.
      expect(seen.boomAttempts).toBe(1);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('the same handler without KafkaEventController (control)', () => {
  let kafka: Kafka;
  let publisher: EventPublisher;
  let app: INestApplication | undefined;
  const groupId = uniqueId('it-nest-kafka-plain');

  beforeAll(async () => {
    kafka = createKafkaClient({
      clientId: uniqueId('nest-kafka-int'),
      brokers: requireBrokers(),
      logger: silentLogger,
    });
    await ensureTopics(kafka, {
      topics: ALL_TOPICS,
      partitions: 6,
      replicationFactor: 1,
      logger: silentLogger,
    });
    publisher = new EventPublisher(kafka, '/newsflow/nest-kafka-int-spec');
    await publisher.connect();
    app = await startApp(PlainAppModule, { kafka, publisher, groupId });
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await app?.close();
    } finally {
      await publisher?.disconnect();
    }
  }, TEST_TIMEOUT_MS);

  it(
    "loses the error's class: Nest's default RPC filter replaces it, so it is retried and dead-lettered as UNEXPECTED",
    async () => {
      const article = sampleIngestedArticle();
      plainSeen.boomIds.add(article.id);

      await publisher.publish({ topic: Topic.ArticleIngestedV1, key: article.id, payload: article });
      const letter = await waitForDeadLetter(
        kafka,
        (candidate) =>
          candidate.key === article.id && candidate.headers[DeadLetterHeader.ConsumerGroup] === groupId,
      );

      // This is why KafkaEventController exists: without it the PermanentError's code never arrives.
      expect(letter.headers[DeadLetterHeader.ErrorCode]).toBe('UNEXPECTED');
      expect(letter.headers[DeadLetterHeader.Attempts]).toBe('3');
      expect(plainSeen.boomAttempts).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );
});

/** What the batch controller saw; it only ever reads the test's private topic. */
const batchSeen = {
  poisonIds: new Set<string>(),
  /** Successful calls: the article ids of each, and the context. */
  calls: [] as { ids: string[]; context: KafkaBatchContext }[],
};

@KafkaEventController()
class ArticleBatchController {
  @KafkaBatchPattern(Topic.ArticleIngestedV1, { maxBatchSize: 4 })
  async onIngested(
    @Payload() events: ConsumedEvent<typeof Topic.ArticleIngestedV1>[],
    @Ctx() context: KafkaBatchContext,
  ): Promise<void> {
    const ids = events.map((event) => event.payload.id);
    if (ids.some((id) => batchSeen.poisonIds.has(id))) {
      throw new PermanentError('POISON', 'this article cannot be stored');
    }
    batchSeen.calls.push({ ids, context });
  }
}

@Module({ controllers: [ArticleBatchController] })
class BatchAppModule {}

describe('a @KafkaBatchPattern handler in a Nest application', () => {
  let kafka: Kafka;
  let publisher: EventPublisher;
  let app: INestApplication | undefined;
  const groupId = uniqueId('it-nest-kafka-batch');
  /** A private one-partition stand-in for news.articles.ingested.v1: offsets and batches are all ours. */
  const topic = uniqueId('test.nest-batch.ingested');

  beforeAll(async () => {
    kafka = createKafkaClient({
      clientId: uniqueId('nest-kafka-int'),
      brokers: requireBrokers(),
      logger: silentLogger,
    });
    await ensureTopics(kafka, {
      topics: ALL_TOPICS,
      partitions: 6,
      replicationFactor: 1,
      logger: silentLogger,
    });
    await ensureTopics(kafka, { topics: [topic], partitions: 1, replicationFactor: 1, logger: silentLogger });
    publisher = new EventPublisher(kafka, '/newsflow/nest-kafka-int-spec');
    await publisher.connect();
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await app?.close();
    } finally {
      await publisher?.disconnect();
      const admin = kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] }).finally(() => admin.disconnect());
    }
  }, TEST_TIMEOUT_MS);

  it(
    'receives chunks of events with a KafkaBatchContext; a poison article is dead-lettered with its code, the rest stored',
    async () => {
      const articles = Array.from({ length: 6 }, () => sampleIngestedArticle());
      const ids = articles.map((article) => article.id);
      const poison = ids[1] as string;
      batchSeen.poisonIds.add(poison);
      for (const article of articles) {
        await publisher.publishRaw(topic, {
          key: article.id,
          value: JSON.stringify(article),
          headers: toHeaders(
            newEventMetadata({
              type: contractOf(Topic.ArticleIngestedV1).eventType,
              source: '/nest-batch-test',
            }),
          ),
        });
      }
      // Started after publishing, so the first fetch holds all six: chunks of offsets 0-3 and 4-5.
      app = await startApp(BatchAppModule, {
        kafka,
        publisher,
        groupId,
        topicNames: { [Topic.ArticleIngestedV1]: topic },
      });

      const letter = await waitForDeadLetter(
        kafka,
        (candidate) =>
          candidate.key === poison && candidate.headers[DeadLetterHeader.ConsumerGroup] === groupId,
      );
      await eventually('the second chunk', () => (batchSeen.calls.length >= 4 ? true : undefined));

      // The first chunk failed as a whole and was handled one article at a time; the second went as one.
      expect(batchSeen.calls.map((call) => call.ids)).toEqual([
        [ids[0]],
        [ids[2]],
        [ids[3]],
        [ids[4], ids[5]],
      ]);
      const last = batchSeen.calls[3]?.context;
      expect(last).toBeInstanceOf(KafkaBatchContext);
      expect(last?.batch).toMatchObject({ topic: Topic.ArticleIngestedV1, partition: 0, attempt: 1 });
      expect(last?.batch.events.map((event) => event.offset)).toEqual(['4', '5']);
      expect(last?.batch.events[0]?.metadata.source).toBe('/nest-batch-test');
      expect(batchSeen.calls[0]?.context.batch.attempt).toBe(2);

      // The rethrowing filter works for batch handlers too: the code arrives, and it is not retried.
      expect(letter.headers).toMatchObject({
        [DeadLetterHeader.ErrorCode]: 'POISON',
        [DeadLetterHeader.Attempts]: '2',
        [DeadLetterHeader.OriginalTopic]: topic,
        [DeadLetterHeader.OriginalOffset]: '1',
        [DeadLetterHeader.Stage]: 'nest-int-test',
      });

      const admin = kafka.admin();
      await admin.connect();
      try {
        const committed = await eventually('the group to commit past the last chunk', async () => {
          const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
          return offsets?.partitions[0]?.offset === '6' ? '6' : undefined;
        });
        expect(committed).toBe('6');
      } finally {
        await admin.disconnect();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
