/**
 * Batch consumption (ConsumerRunner with `batch`) against a real broker (KAFKA_BROKERS). Every test reads
 * its own single-partition topic (a contract topic's private copy, through `topicNames`), so offsets
 * and batches are exactly the test's own; dead letters go to the suite's own copy of news.dlq.v1 and are
 * told apart by the test's unique consumer group. (Reading the shared topics from their beginning would
 * take longer with every run on a long-lived broker.)
 */
import { type Kafka } from 'kafkajs';

import {
  type ArticleIngestedV1,
  DeadLetterHeader,
  Topic,
  contractOf,
  newEventMetadata,
  toHeaders,
} from '@newsflow/contracts';

import {
  type CollectedMessage,
  collectMessages,
  committedOffset,
  deferred,
  deleteTopics,
  eventually,
  readTopicToEnd,
  sampleIngestedArticle,
  settlesWithin,
  testKafkaClient,
  uniqueId,
} from '../testing/kafka-testing';

import { type BatchDispatcher, type ConsumedBatch } from './consumed-event';
import { ConsumerRunner } from './consumer-runner';
import { PermanentError, TransientError } from './errors';
import { silentLogger } from './logger';
import { EventPublisher } from './publisher';
import { type RetryPolicy } from './retry-policy';
import { ensureTopics } from './topics-admin';

const TEST_TIMEOUT_MS = 60_000;
const FAST_RETRIES: RetryPolicy = { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 200 };
const PARTITION = 0;

describe('ConsumerRunner in batch mode against a real broker', () => {
  let kafka: Kafka;
  let publisher: EventPublisher;
  const runners: ConsumerRunner[] = [];
  const deadLetterTopic = uniqueId('test.batch.dlq');
  const topics: string[] = [deadLetterTopic];

  beforeAll(async () => {
    kafka = testKafkaClient(uniqueId('batch-runner-int'));
    await ensureTopics(kafka, {
      topics: [deadLetterTopic],
      partitions: 1,
      replicationFactor: 1,
      logger: silentLogger,
    });
    publisher = new EventPublisher(kafka, '/newsflow/batch-consumption-int-spec');
    await publisher.connect();
  }, TEST_TIMEOUT_MS);

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await publisher?.disconnect();
    await deleteTopics(kafka, topics);
  }, TEST_TIMEOUT_MS);

  /** A fresh one-partition topic standing in for news.articles.ingested.v1. */
  async function privateTopic(): Promise<string> {
    const topic = uniqueId('test.batch.ingested');
    topics.push(topic);
    await ensureTopics(kafka, { topics: [topic], partitions: 1, replicationFactor: 1, logger: silentLogger });
    return topic;
  }

  /** Publishes the values in order (offsets 0, 1, ...), as ingestion would, or raw strings as they are. */
  async function publishAll(topic: string, values: readonly (ArticleIngestedV1 | string)[]): Promise<void> {
    for (const [index, value] of values.entries()) {
      const metadata = newEventMetadata({
        type: contractOf(Topic.ArticleIngestedV1).eventType,
        source: '/newsflow/batch-consumption-int-spec',
      });
      await publisher.publishRaw(topic, {
        key: typeof value === 'string' ? `raw-${index}` : value.id,
        value: typeof value === 'string' ? value : JSON.stringify(value),
        headers: toHeaders(metadata),
      });
    }
  }

  async function startRunner(input: {
    topic: string;
    groupId: string;
    maxBatchSize: number;
    dispatch: BatchDispatcher;
    retryPolicy?: RetryPolicy;
  }): Promise<ConsumerRunner> {
    const runner = new ConsumerRunner({
      kafka,
      groupId: input.groupId,
      stage: 'batch-int-test',
      topics: [Topic.ArticleIngestedV1],
      topicNames: { [Topic.ArticleIngestedV1]: input.topic },
      deadLetterTopic,
      dispatch: async () => {
        throw new Error('a batch topic must not reach the single-message handler');
      },
      batch: {
        topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: input.maxBatchSize }],
        dispatch: input.dispatch,
      },
      publisher,
      logger: silentLogger,
      retryPolicy: input.retryPolicy ?? FAST_RETRIES,
    });
    runners.push(runner);
    await runner.start();
    return runner;
  }

  async function stopRunner(runner: ConsumerRunner): Promise<void> {
    const index = runners.indexOf(runner);
    if (index >= 0) runners.splice(index, 1);
    await runner.stop();
  }

  async function waitForCommit(groupId: string, topic: string, offset: bigint): Promise<void> {
    await eventually(`group ${groupId} to commit ${topic}@${offset}`, async () =>
      (await committedOffset(kafka, groupId, topic, PARTITION)) === offset ? true : undefined,
    );
  }

  const idsOf = (batch: ConsumedBatch) =>
    batch.events.map((event) => (event.payload as ArticleIngestedV1).id);
  const offsetsOf = (batch: ConsumedBatch) => batch.events.map((event) => Number(event.offset));

  function deadLettersOf(groupId: string) {
    return (message: CollectedMessage) => message.headers[DeadLetterHeader.ConsumerGroup] === groupId;
  }

  it(
    'hands chunks of more than one event to the handler and commits past each only after the handler resolved',
    async () => {
      const topic = await privateTopic();
      const groupId = uniqueId('it-batch-commit');
      const articles = Array.from({ length: 7 }, () => sampleIngestedArticle());
      await publishAll(topic, articles);

      const batches: ConsumedBatch[] = [];
      const release = deferred();
      const firstCall = deferred();
      await startRunner({
        topic,
        groupId,
        maxBatchSize: 3,
        dispatch: async (batch) => {
          batches.push(batch);
          firstCall.resolve();
          await release.promise;
        },
      });

      if (!(await settlesWithin(firstCall.promise, 30_000)))
        throw new Error('the batch handler was never called');
      // The handler has the chunk but has not resolved: nothing may be committed yet.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await committedOffset(kafka, groupId, topic, PARTITION)).toBe(-1n);
      expect(batches).toHaveLength(1);

      release.resolve();
      await waitForCommit(groupId, topic, 7n);

      expect(batches.map(offsetsOf)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
      expect(batches.flatMap(idsOf)).toEqual(articles.map((article) => article.id));
      const [first] = batches as [ConsumedBatch];
      expect(first.topic).toBe(Topic.ArticleIngestedV1);
      expect(first.partition).toBe(PARTITION);
      expect(first.attempt).toBe(1);
      expect(first.events[0]?.payload).toEqual(articles[0]);
      expect(first.events[0]?.metadata.source).toBe('/newsflow/batch-consumption-int-spec');
      expect(await readTopicToEnd(kafka, deadLetterTopic, deadLettersOf(groupId))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'leaves a chunk uncommitted when the consumer stops while its handler fails, and the next member gets it again',
    async () => {
      const topic = await privateTopic();
      const groupId = uniqueId('it-batch-stop');
      const articles = Array.from({ length: 6 }, () => sampleIngestedArticle());
      await publishAll(topic, articles);

      const inHandler = deferred();
      const abort = deferred();
      const first = await startRunner({
        topic,
        groupId,
        maxBatchSize: 3,
        // A backoff far longer than the test: only the shutdown can end the wait.
        retryPolicy: { maxAttempts: 5, initialBackoffMs: 120_000, maxBackoffMs: 120_000 },
        dispatch: async () => {
          inHandler.resolve();
          await abort.promise;
          // What a transaction killed by the shutdown looks like to the handler.
          throw new TransientError('DB_CONNECTION_LOST', 'the transaction was rolled back');
        },
      });
      if (!(await settlesWithin(inHandler.promise, 30_000)))
        throw new Error('the batch handler was never called');

      const stopStarted = Date.now();
      const stopping = stopRunner(first);
      abort.resolve();
      await stopping;
      expect(Date.now() - stopStarted).toBeLessThan(10_000);
      expect(await committedOffset(kafka, groupId, topic, PARTITION)).toBe(-1n);
      expect(await readTopicToEnd(kafka, deadLetterTopic, deadLettersOf(groupId))).toEqual([]);

      const redelivered: ConsumedBatch[] = [];
      await startRunner({
        topic,
        groupId,
        maxBatchSize: 3,
        dispatch: async (batch) => {
          redelivered.push(batch);
        },
      });
      await waitForCommit(groupId, topic, 6n);
      expect(redelivered.map(offsetsOf)).toEqual([
        [0, 1, 2],
        [3, 4, 5],
      ]);
      expect(redelivered.map((batch) => batch.attempt)).toEqual([1, 1]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'commits the chunk whose handler finished during a shutdown and starts no other: the next member goes on from there',
    async () => {
      const topic = await privateTopic();
      const groupId = uniqueId('it-batch-stop-between');
      const articles = Array.from({ length: 6 }, () => sampleIngestedArticle());
      await publishAll(topic, articles);

      const inHandler = deferred();
      const release = deferred();
      const handledByFirst: number[][] = [];
      const first = await startRunner({
        topic,
        groupId,
        maxBatchSize: 3,
        dispatch: async (batch) => {
          inHandler.resolve();
          await release.promise;
          handledByFirst.push(offsetsOf(batch));
        },
      });
      if (!(await settlesWithin(inHandler.promise, 30_000)))
        throw new Error('the batch handler was never called');

      const stopping = stopRunner(first);
      // kafkajs is stopping (and waits for the handler) before the handler's work completes.
      await new Promise((resolve) => setTimeout(resolve, 200));
      release.resolve();
      await stopping;
      expect(handledByFirst).toEqual([[0, 1, 2]]);
      expect(await committedOffset(kafka, groupId, topic, PARTITION)).toBe(3n);

      const handledBySecond: number[][] = [];
      await startRunner({
        topic,
        groupId,
        maxBatchSize: 3,
        dispatch: async (batch) => {
          handledBySecond.push(offsetsOf(batch));
        },
      });
      await waitForCommit(groupId, topic, 6n);
      expect(handledBySecond).toEqual([[3, 4, 5]]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'dead-letters a poison message and invalid messages of a batch with context, and handles the rest',
    async () => {
      const topic = await privateTopic();
      const groupId = uniqueId('it-batch-poison');
      const articles = Array.from({ length: 5 }, () => sampleIngestedArticle());
      const poison = articles[2] as ArticleIngestedV1;
      const invalidValue = JSON.stringify({ ...sampleIngestedArticle(), id: 'NOT-AN-ARTICLE-ID' });
      // Offsets: 0, 1 articles; 2 not JSON; 3 poison; 4 invalid; 5, 6 articles.
      await publishAll(topic, [
        articles[0],
        articles[1],
        '{"not json',
        poison,
        invalidValue,
        articles[3],
        articles[4],
      ] as (ArticleIngestedV1 | string)[]);

      const calls: { ids: string[]; attempt: number }[] = [];
      const stored = new Set<string>();
      await startRunner({
        topic,
        groupId,
        maxBatchSize: 10,
        dispatch: async (batch) => {
          calls.push({ ids: idsOf(batch), attempt: batch.attempt });
          if (idsOf(batch).includes(poison.id)) {
            throw new PermanentError('POISON', `article ${poison.id} breaks a database constraint`);
          }
          for (const id of idsOf(batch)) stored.add(id);
        },
      });

      const letters = await collectMessages(kafka, deadLetterTopic, deadLettersOf(groupId), 3);
      await waitForCommit(groupId, topic, 7n);
      const byOffset = new Map(
        letters.map((letter) => [letter.headers[DeadLetterHeader.OriginalOffset], letter]),
      );

      expect(byOffset.get('2')?.headers).toMatchObject({
        [DeadLetterHeader.ErrorCode]: 'MALFORMED_JSON',
        [DeadLetterHeader.Attempts]: '1',
      });
      expect(byOffset.get('4')?.headers).toMatchObject({
        [DeadLetterHeader.ErrorCode]: 'VALIDATION_FAILED',
        [DeadLetterHeader.Attempts]: '1',
      });
      expect(byOffset.get('4')?.value?.toString('utf8')).toBe(invalidValue);
      const poisonLetter = byOffset.get('3');
      expect(poisonLetter?.key).toBe(poison.id);
      expect(poisonLetter?.headers).toMatchObject({
        [DeadLetterHeader.ErrorCode]: 'POISON',
        [DeadLetterHeader.ErrorMessage]: `article ${poison.id} breaks a database constraint`,
        // Once in the batch, once on its own.
        [DeadLetterHeader.Attempts]: '2',
        [DeadLetterHeader.OriginalTopic]: topic,
        [DeadLetterHeader.OriginalPartition]: String(PARTITION),
        [DeadLetterHeader.Stage]: 'batch-int-test',
      });
      expect(JSON.parse(poisonLetter?.value?.toString('utf8') ?? 'null')).toEqual(poison);

      // One batch call with the four valid articles and the poison, then one call per article.
      const valid = [articles[0], articles[1], poison, articles[3], articles[4]].map(
        (a) => (a as ArticleIngestedV1).id,
      );
      expect(calls).toEqual([{ ids: valid, attempt: 1 }, ...valid.map((id) => ({ ids: [id], attempt: 2 }))]);
      expect([...stored].sort()).toEqual(valid.filter((id) => id !== poison.id).sort());
      // Exactly the three dead letters.
      expect(await readTopicToEnd(kafka, deadLetterTopic, deadLettersOf(groupId))).toHaveLength(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'retries the whole batch after transient failures and commits once it succeeds',
    async () => {
      const topic = await privateTopic();
      const groupId = uniqueId('it-batch-transient');
      const articles = Array.from({ length: 4 }, () => sampleIngestedArticle());
      await publishAll(topic, articles);

      const calls: { offsets: number[]; attempt: number; at: number }[] = [];
      await startRunner({
        topic,
        groupId,
        maxBatchSize: 10,
        dispatch: async (batch) => {
          calls.push({ offsets: offsetsOf(batch), attempt: batch.attempt, at: Date.now() });
          if (batch.attempt < 3) throw new TransientError('DB_UNAVAILABLE', 'the database is restarting');
        },
      });
      await waitForCommit(groupId, topic, 4n);

      expect(calls.map(({ offsets, attempt }) => ({ offsets, attempt }))).toEqual([
        { offsets: [0, 1, 2, 3], attempt: 1 },
        { offsets: [0, 1, 2, 3], attempt: 2 },
        { offsets: [0, 1, 2, 3], attempt: 3 },
      ]);
      // Backoff between attempts: at least half of the ceiling (50 ms, then 100 ms), minus timer slack.
      expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(20);
      expect((calls[2]?.at ?? 0) - (calls[1]?.at ?? 0)).toBeGreaterThanOrEqual(45);
      expect(await readTopicToEnd(kafka, deadLetterTopic, deadLettersOf(groupId))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
