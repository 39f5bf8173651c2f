/**
 * ConsumerRunner and EventPublisher against a real broker (KAFKA_BROKERS). The runners read a private
 * copy of news.articles.ingested.v1 (through `topicNames`) and dead-letter to a private copy of
 * news.dlq.v1, both made for this run: on a long-lived broker, reading the shared contract topics from
 * their beginning would take longer with every run. Every test still has its own consumer group and its
 * own article ids/keys, and handlers ignore every key that is not theirs (the suite's tests share the topics).
 */
import { type Kafka } from 'kafkajs';

import {
  CloudEventHeader,
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
  endOffsets,
  ensureContractTopics,
  eventually,
  readTopicToEnd,
  sampleIngestedArticle,
  settlesWithin,
  testKafkaClient,
  uniqueId,
  waitForCommitPast,
} from '../testing/kafka-testing';

import { type ConsumedEvent, type EventDispatcher } from './consumed-event';
import { ConsumerRunner } from './consumer-runner';
import { PermanentError, TransientError } from './errors';
import { silentLogger } from './logger';
import { EventPublisher } from './publisher';
import { type RetryPolicy } from './retry-policy';
import { ensureTopics } from './topics-admin';

const TEST_TIMEOUT_MS = 60_000;
const FAST_RETRIES: RetryPolicy = { maxAttempts: 5, initialBackoffMs: 50, maxBackoffMs: 200 };

describe('ConsumerRunner against a real broker', () => {
  let kafka: Kafka;
  let publisher: EventPublisher;
  /** Runners a test started; stopped after each test even when it failed half-way. */
  const runners: ConsumerRunner[] = [];
  /** This run's copies of news.articles.ingested.v1 and news.dlq.v1 (6 partitions, as the real ones). */
  const ingestedTopic = uniqueId('test.runner.ingested');
  const deadLetterTopic = uniqueId('test.runner.dlq');

  beforeAll(async () => {
    kafka = testKafkaClient(uniqueId('consumer-runner-int'));
    await ensureTopics(kafka, {
      topics: [ingestedTopic, deadLetterTopic],
      partitions: 6,
      replicationFactor: 1,
      logger: silentLogger,
    });
    publisher = new EventPublisher(kafka, '/newsflow/consumer-runner-int-spec');
    await publisher.connect();
  }, TEST_TIMEOUT_MS);

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await publisher?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: [ingestedTopic, deadLetterTopic] });
    } finally {
      await admin.disconnect();
    }
  }, TEST_TIMEOUT_MS);

  /**
   * Starts a runner on the ingested topic whose dispatch sees only this test's keys: every other
   * message (earlier runs, other suites) succeeds without a trace.
   */
  async function startRunner(input: {
    groupId: string;
    keys: ReadonlySet<string>;
    handle: EventDispatcher;
    retryPolicy?: RetryPolicy;
  }): Promise<ConsumerRunner> {
    const runner = new ConsumerRunner({
      kafka,
      groupId: input.groupId,
      stage: 'int-test',
      topics: [Topic.ArticleIngestedV1],
      topicNames: { [Topic.ArticleIngestedV1]: ingestedTopic },
      deadLetterTopic,
      publisher,
      logger: silentLogger,
      retryPolicy: input.retryPolicy ?? FAST_RETRIES,
      dispatch: async (event) => {
        if (event.key !== null && input.keys.has(event.key)) await input.handle(event);
      },
    });
    runners.push(runner);
    await runner.start();
    return runner;
  }

  /** Stops a runner that a test wants stopped before its end (and keeps afterEach from stopping it twice). */
  async function stopRunner(runner: ConsumerRunner): Promise<void> {
    const index = runners.indexOf(runner);
    if (index >= 0) runners.splice(index, 1);
    await runner.stop();
  }

  /** The dead letters this test's group produced for the given keys. */
  function deadLettersOf(groupId: string, keys: ReadonlySet<string>) {
    return (message: CollectedMessage) =>
      message.key !== null &&
      keys.has(message.key) &&
      message.headers[DeadLetterHeader.ConsumerGroup] === groupId;
  }

  /** Publishes an article to the run's ingested topic as ingestion would (CloudEvents headers). */
  async function publishArticle(article: ArticleIngestedV1) {
    const metadata = newEventMetadata({
      type: contractOf(Topic.ArticleIngestedV1).eventType,
      source: '/newsflow/consumer-runner-int-spec',
    });
    await publisher.publishRaw(ingestedTopic, {
      key: article.id,
      value: JSON.stringify(article),
      headers: toHeaders(metadata),
    });
    return metadata;
  }

  it(
    'dispatches a valid article with its typed payload, key and metadata, then commits past it',
    async () => {
      const groupId = uniqueId('it-runner-valid');
      const article = sampleIngestedArticle();
      const received: ConsumedEvent[] = [];
      await startRunner({
        groupId,
        keys: new Set([article.id]),
        handle: async (event) => {
          received.push(event);
        },
      });

      const metadata = await publishArticle(article);
      const event = await eventually('the article to be dispatched', () => received[0]);

      expect(event.topic).toBe(Topic.ArticleIngestedV1);
      expect(event.key).toBe(article.id);
      expect(event.payload).toEqual(article);
      expect(event.attempt).toBe(1);
      expect(event.metadata).toEqual({
        id: metadata.id,
        type: contractOf(Topic.ArticleIngestedV1).eventType,
        source: '/newsflow/consumer-runner-int-spec',
        time: metadata.time,
        correlationId: metadata.id,
        causationId: undefined,
        traceParent: metadata.traceParent,
      });
      expect(typeof event.heartbeat).toBe('function');
      expect(event.partition).toBeGreaterThanOrEqual(0);
      expect(event.partition).toBeLessThan(6);

      const committed = await waitForCommitPast(kafka, groupId, ingestedTopic, event.partition, event.offset);
      expect(committed).toBe(BigInt(event.offset) + 1n);
      expect(received).toHaveLength(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'dead-letters a value that is not JSON and a payload that breaks the contract, without dispatching them',
    async () => {
      const groupId = uniqueId('it-runner-invalid');
      const malformedKey = uniqueId('malformed');
      const invalidKey = uniqueId('invalid');
      const keys = new Set([malformedKey, invalidKey]);
      const dispatched: ConsumedEvent[] = [];
      await startRunner({
        groupId,
        keys,
        handle: async (event) => {
          dispatched.push(event);
        },
      });

      const malformedValue = '{"id": "this is not json';
      const invalidValue = JSON.stringify({
        ...sampleIngestedArticle(),
        id: 'NOT-AN-ARTICLE-ID',
        paragraphs: [],
      });
      await publisher.publishRaw(ingestedTopic, {
        key: malformedKey,
        value: malformedValue,
        headers: { [CloudEventHeader.Id]: 'malformed-event' },
      });
      await publisher.publishRaw(ingestedTopic, {
        key: invalidKey,
        value: invalidValue,
        headers: { [CloudEventHeader.Id]: 'invalid-event' },
      });

      const deadLetters = await collectMessages(kafka, deadLetterTopic, deadLettersOf(groupId, keys), 2);
      const byKey = new Map(deadLetters.map((message) => [message.key, message]));
      const malformed = byKey.get(malformedKey);
      const invalid = byKey.get(invalidKey);
      if (!malformed || !invalid)
        throw new Error(`expected one dead letter per key, got ${[...byKey.keys()].join(', ')}`);

      // The original key, value and headers, byte for byte.
      expect(malformed.value?.toString('utf8')).toBe(malformedValue);
      expect(invalid.value?.toString('utf8')).toBe(invalidValue);
      expect(malformed.headers[CloudEventHeader.Id]).toBe('malformed-event');
      expect(invalid.headers[CloudEventHeader.Id]).toBe('invalid-event');

      expect(malformed.headers[DeadLetterHeader.ErrorCode]).toBe('MALFORMED_JSON');
      expect(invalid.headers[DeadLetterHeader.ErrorCode]).toBe('VALIDATION_FAILED');
      expect(invalid.headers[DeadLetterHeader.ErrorMessage]).toMatch(
        /id: must be 32 lowercase hex characters/,
      );
      expect(invalid.headers[DeadLetterHeader.ErrorMessage]).toMatch(/paragraphs/);
      for (const letter of [malformed, invalid]) {
        expect(letter.headers).toMatchObject({
          [DeadLetterHeader.OriginalTopic]: ingestedTopic,
          [DeadLetterHeader.Attempts]: '1',
          [DeadLetterHeader.ConsumerGroup]: groupId,
          [DeadLetterHeader.Stage]: 'int-test',
        });
        expect(letter.headers[DeadLetterHeader.OriginalPartition]).toMatch(/^[0-5]$/);
        expect(letter.headers[DeadLetterHeader.OriginalOffset]).toMatch(/^\d+$/);
        expect(letter.headers[DeadLetterHeader.FirstFailureAt]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
        expect(letter.headers[DeadLetterHeader.LastFailureAt]).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      }

      // Committed past both originals: they are done, not left for a redelivery.
      for (const letter of [malformed, invalid]) {
        await waitForCommitPast(
          kafka,
          groupId,
          ingestedTopic,
          Number(letter.headers[DeadLetterHeader.OriginalPartition]),
          letter.headers[DeadLetterHeader.OriginalOffset] ?? '',
        );
      }
      expect(dispatched).toHaveLength(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'retries a transient failure with backoff and commits once the handler succeeds',
    async () => {
      const groupId = uniqueId('it-runner-transient');
      const article = sampleIngestedArticle();
      const keys = new Set([article.id]);
      const attempts: ConsumedEvent[] = [];
      const attemptTimes: number[] = [];
      await startRunner({
        groupId,
        keys,
        retryPolicy: FAST_RETRIES,
        handle: async (event) => {
          attempts.push(event);
          attemptTimes.push(Date.now());
          if (attempts.length <= 2)
            throw new TransientError('DOWNSTREAM_BUSY', `busy (attempt ${event.attempt})`);
        },
      });

      await publishArticle(article);
      await eventually('three attempts', () => (attempts.length >= 3 ? true : undefined));
      const last = attempts[2] as ConsumedEvent;
      await waitForCommitPast(kafka, groupId, ingestedTopic, last.partition, last.offset);

      expect(attempts.map((event) => event.attempt)).toEqual([1, 2, 3]);
      // Every attempt is the same message, with the same payload.
      expect(new Set(attempts.map((event) => `${event.partition}@${event.offset}`)).size).toBe(1);
      for (const event of attempts) expect(event.payload).toEqual(article);
      // Backoff between attempts: at least half of the ceiling (50 ms, then 100 ms), minus timer slack.
      expect((attemptTimes[1] as number) - (attemptTimes[0] as number)).toBeGreaterThanOrEqual(20);
      expect((attemptTimes[2] as number) - (attemptTimes[1] as number)).toBeGreaterThanOrEqual(45);

      // Nothing was dead-lettered: the dead letter would be on the topic before the commit.
      expect(await readTopicToEnd(kafka, deadLetterTopic, deadLettersOf(groupId, keys))).toEqual([]);
      expect(attempts).toHaveLength(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'dead-letters an unknown error after maxAttempts and a PermanentError after one attempt',
    async () => {
      const groupId = uniqueId('it-runner-failing');
      const unexpected = sampleIngestedArticle();
      const permanent = sampleIngestedArticle();
      const keys = new Set([unexpected.id, permanent.id]);
      const attemptsByKey = new Map<string, number[]>();
      await startRunner({
        groupId,
        keys,
        retryPolicy: { maxAttempts: 3, initialBackoffMs: 50, maxBackoffMs: 200 },
        handle: async (event) => {
          const key = event.key as string;
          attemptsByKey.set(key, [...(attemptsByKey.get(key) ?? []), event.attempt]);
          if (key === unexpected.id) throw new Error('handler bug on this input');
          throw new PermanentError('BAD_THING', 'this article can never be processed');
        },
      });

      await publishArticle(unexpected);
      await publishArticle(permanent);

      const deadLetters = await collectMessages(kafka, deadLetterTopic, deadLettersOf(groupId, keys), 2);
      const byKey = new Map(deadLetters.map((message) => [message.key, message]));
      const unexpectedLetter = byKey.get(unexpected.id);
      const permanentLetter = byKey.get(permanent.id);
      if (!unexpectedLetter || !permanentLetter) {
        throw new Error(`expected one dead letter per key, got ${[...byKey.keys()].join(', ')}`);
      }

      expect(unexpectedLetter.headers).toMatchObject({
        [DeadLetterHeader.ErrorCode]: 'UNEXPECTED',
        [DeadLetterHeader.ErrorMessage]: 'handler bug on this input',
        [DeadLetterHeader.Attempts]: '3',
        [DeadLetterHeader.OriginalTopic]: ingestedTopic,
      });
      expect(permanentLetter.headers).toMatchObject({
        [DeadLetterHeader.ErrorCode]: 'BAD_THING',
        [DeadLetterHeader.ErrorMessage]: 'this article can never be processed',
        [DeadLetterHeader.Attempts]: '1',
      });
      // The dead letter is the original message: its value parses back to the article.
      expect(JSON.parse(unexpectedLetter.value?.toString('utf8') ?? 'null')).toEqual(unexpected);
      // Retries spread over time: first and last failure differ for the retried message only.
      expect(unexpectedLetter.headers[DeadLetterHeader.FirstFailureAt]).not.toBe(
        unexpectedLetter.headers[DeadLetterHeader.LastFailureAt],
      );

      expect(attemptsByKey.get(unexpected.id)).toEqual([1, 2, 3]);
      expect(attemptsByKey.get(permanent.id)).toEqual([1]);

      for (const letter of [unexpectedLetter, permanentLetter]) {
        await waitForCommitPast(
          kafka,
          groupId,
          ingestedTopic,
          Number(letter.headers[DeadLetterHeader.OriginalPartition]),
          letter.headers[DeadLetterHeader.OriginalOffset] ?? '',
        );
      }
      // Exactly one dead letter per message.
      expect(await readTopicToEnd(kafka, deadLetterTopic, deadLettersOf(groupId, keys))).toHaveLength(2);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'stops promptly while waiting to retry, leaving the message uncommitted for the next member',
    async () => {
      const groupId = uniqueId('it-runner-stop');
      const article = sampleIngestedArticle();
      const keys = new Set([article.id]);
      const firstAttempts: ConsumedEvent[] = [];
      const failed = deferred<ConsumedEvent>();
      const runner = await startRunner({
        groupId,
        keys,
        // A backoff far longer than the test: only the shutdown can end the wait.
        retryPolicy: { maxAttempts: 5, initialBackoffMs: 120_000, maxBackoffMs: 120_000 },
        handle: async (event) => {
          firstAttempts.push(event);
          failed.resolve(event);
          throw new TransientError('DOWNSTREAM_BUSY', 'always busy');
        },
      });

      await publishArticle(article);
      if (!(await settlesWithin(failed.promise, 30_000))) throw new Error('the article was never dispatched');
      const failedEvent = firstAttempts[0] as ConsumedEvent;
      // Let the runner enter its backoff wait.
      await new Promise((resolve) => setTimeout(resolve, 500));

      const stopStarted = Date.now();
      await stopRunner(runner);
      const stopMs = Date.now() - stopStarted;
      expect(stopMs).toBeLessThan(10_000);
      expect(firstAttempts).toHaveLength(1);

      // Not committed: the committed offset (if any) does not reach past the message.
      const committed = await committedOffset(kafka, groupId, ingestedTopic, failedEvent.partition);
      expect(committed).toBeLessThanOrEqual(BigInt(failedEvent.offset));
      // Not dead-lettered either.
      expect(await readTopicToEnd(kafka, deadLetterTopic, deadLettersOf(groupId, keys))).toEqual([]);

      // The next member of the group gets the same message again, as a first delivery, and can finish it.
      const redelivered: ConsumedEvent[] = [];
      await startRunner({
        groupId,
        keys,
        handle: async (event) => {
          redelivered.push(event);
        },
      });
      const again = await eventually('the message to be redelivered', () => redelivered[0]);
      expect(again.partition).toBe(failedEvent.partition);
      expect(again.offset).toBe(failedEvent.offset);
      expect(again.attempt).toBe(1);
      expect(again.payload).toEqual(article);
      await waitForCommitPast(kafka, groupId, ingestedTopic, again.partition, again.offset);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('EventPublisher against a real broker', () => {
  let kafka: Kafka;
  let publisher: EventPublisher;

  beforeAll(async () => {
    kafka = testKafkaClient(uniqueId('publisher-int'));
    await ensureContractTopics(kafka);
    publisher = new EventPublisher(kafka, '/newsflow/publisher-int-spec');
    await publisher.connect();
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await publisher?.disconnect();
  }, TEST_TIMEOUT_MS);

  it(
    'refuses a payload that breaks the contract with CONTRACT_VIOLATION and sends nothing',
    async () => {
      // Only what this test may have sent is read back, not the shared topic's history.
      const before = await endOffsets(kafka, Topic.ArticleIngestedV1);
      const invalid = { ...sampleIngestedArticle(), wordCount: -1, lede: '' };
      const error: unknown = await publisher
        .publish({ topic: Topic.ArticleIngestedV1, key: invalid.id, payload: invalid })
        .then(
          () => undefined,
          (rejection: unknown) => rejection,
        );
      expect(error).toBeInstanceOf(PermanentError);
      expect(error).toMatchObject({ code: 'CONTRACT_VIOLATION', retryable: false });
      expect((error as PermanentError).message).toMatch(/wordCount/);
      expect((error as PermanentError).message).toMatch(/lede/);

      // One invalid payload in a batch stops the whole batch: nothing of it is sent.
      const valid = sampleIngestedArticle();
      await expect(
        publisher.publishMany(Topic.ArticleIngestedV1, [
          { key: valid.id, payload: valid },
          { key: invalid.id, payload: invalid },
        ]),
      ).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION' });

      // A valid message published afterwards does arrive, so the reads below do see the topic's end.
      const marker = sampleIngestedArticle();
      await publisher.publish({ topic: Topic.ArticleIngestedV1, key: marker.id, payload: marker });
      const ours = new Set([invalid.id, valid.id, marker.id]);
      const onTopic = await readTopicToEnd(
        kafka,
        Topic.ArticleIngestedV1,
        (message) => message.key !== null && ours.has(message.key),
        30_000,
        before,
      );
      expect(onTopic.map((message) => message.key)).toEqual([marker.id]);
    },
    TEST_TIMEOUT_MS,
  );
});
