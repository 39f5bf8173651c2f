/**
 * Retry topics against a real broker (KAFKA_BROKERS): a message failing transiently leaves its
 * partition flowing, waits on the group's retry topics and comes back, or ends on the dead-letter topic
 * with its whole history. Every test reads its own one-partition copy of news.articles.ingested.v1 and
 * dead-letters to the suite's own copy of news.dlq.v1; retry topics are per consumer group, so each test
 * has its own too. Everything is deleted afterwards.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { type Kafka } from 'kafkajs';

import {
  type ArticleIngestedV1,
  CloudEventHeader,
  DeadLetterHeader,
  Topic,
  contractOf,
  newEventMetadata,
  toHeaders,
} from '@newsflow/contracts';

import {
  type CollectedMessage,
  collectMessages,
  eventually,
  readTopicToEnd,
  sampleIngestedArticle,
  settlesWithin,
  testKafkaClient,
  uniqueId,
  waitForCommitPast,
} from '../testing/kafka-testing';

import { type BatchDispatcher, type ConsumedEvent, type EventDispatcher } from './consumed-event';
import { ConsumerRunner } from './consumer-runner';
import { PermanentError, TransientError } from './errors';
import { silentLogger } from './logger';
import { EventPublisher } from './publisher';
import { type RetryPolicy } from './retry-policy';
import { RetryHeader, retryTopicName } from './retry-topics';
import { ensureTopics } from './topics-admin';

const TEST_TIMEOUT_MS = 90_000;
const PARTITION = 0;

/** Two attempts in place per delivery, then tiers of 600 ms and 1.2 s. */
const POLICY: RetryPolicy = {
  maxAttempts: 2,
  initialBackoffMs: 20,
  maxBackoffMs: 50,
  retryTopicDelaysMs: [600, 1_200],
};

describe('retry topics against a real broker', () => {
  let kafka: Kafka;
  let publisher: EventPublisher;
  const runners: ConsumerRunner[] = [];
  const children: ChildProcess[] = [];
  /** Every topic a test made (its source copy, and the retry topics its runners created). */
  const topics: string[] = [];
  const deadLetterTopic = uniqueId('test.retry.dlq');

  beforeAll(async () => {
    kafka = testKafkaClient(uniqueId('retry-topics-int'));
    topics.push(deadLetterTopic);
    await ensureTopics(kafka, {
      topics: [deadLetterTopic],
      partitions: 1,
      replicationFactor: 1,
      logger: silentLogger,
    });
    publisher = new EventPublisher(kafka, '/newsflow/retry-topics-int-spec');
    await publisher.connect();
  }, TEST_TIMEOUT_MS);

  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await publisher?.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      await admin.deleteTopics({ topics: topics.filter((topic) => existing.has(topic)) });
    } finally {
      await admin.disconnect();
    }
  }, TEST_TIMEOUT_MS);

  /** A fresh one-partition topic standing in for news.articles.ingested.v1, and a group of its own. */
  async function privateSetup(label: string): Promise<{ source: string; groupId: string }> {
    const source = uniqueId(`test.retry.${label}`);
    const groupId = uniqueId(`it-retry-${label}`);
    topics.push(source, ...[1, 2].map((tier) => retryTopicName(groupId, tier)));
    await ensureTopics(kafka, {
      topics: [source],
      partitions: 1,
      replicationFactor: 1,
      logger: silentLogger,
    });
    return { source, groupId };
  }

  /** Publishes the articles in order (offsets 0, 1, ...), as ingestion would. */
  async function publishAll(topic: string, articles: readonly ArticleIngestedV1[]): Promise<string[]> {
    const ids: string[] = [];
    for (const article of articles) {
      const metadata = newEventMetadata({
        type: contractOf(Topic.ArticleIngestedV1).eventType,
        source: '/newsflow/retry-topics-int-spec',
      });
      ids.push(metadata.id);
      await publisher.publishRaw(topic, {
        key: article.id,
        value: JSON.stringify(article),
        headers: toHeaders(metadata),
      });
    }
    return ids;
  }

  async function startRunner(input: {
    source: string;
    groupId: string;
    dispatch?: EventDispatcher;
    batch?: { maxBatchSize: number; dispatch: BatchDispatcher };
  }): Promise<ConsumerRunner> {
    const runner = new ConsumerRunner({
      kafka,
      groupId: input.groupId,
      stage: 'int-test',
      topics: [Topic.ArticleIngestedV1],
      topicNames: { [Topic.ArticleIngestedV1]: input.source },
      deadLetterTopic,
      dispatch:
        input.dispatch ??
        (async () => {
          throw new Error('a batch topic must not reach the single-message handler');
        }),
      batch: input.batch && {
        topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: input.batch.maxBatchSize }],
        dispatch: input.batch.dispatch,
      },
      publisher,
      logger: silentLogger,
      retryPolicy: POLICY,
    });
    runners.push(runner);
    await runner.start();
    return runner;
  }

  const ofGroup = (groupId: string) => (message: CollectedMessage) =>
    message.headers[DeadLetterHeader.ConsumerGroup] === groupId;

  it(
    'keeps the partition flowing: the messages after a failing one are handled before it is retried',
    async () => {
      const { source, groupId } = await privateSetup('flow');
      const [failing, second, third] = [
        sampleIngestedArticle(),
        sampleIngestedArticle(),
        sampleIngestedArticle(),
      ];
      const attempts: { key: string | null; attempt: number; offset: string; at: number }[] = [];
      const handled: string[] = [];
      await startRunner({
        source,
        groupId,
        dispatch: async (event) => {
          attempts.push({ key: event.key, attempt: event.attempt, offset: event.offset, at: Date.now() });
          // Failing through its attempts in place, fine when it comes back from the first retry topic.
          if (event.key === failing.id && event.attempt <= POLICY.maxAttempts) {
            throw new TransientError('DB_08006', 'connection lost');
          }
          handled.push(event.key ?? '');
        },
      });

      await publishAll(source, [failing, second, third]);
      await eventually('all three handled', () => (handled.length === 3 ? true : undefined), 30_000);

      expect(handled).toEqual([second.id, third.id, failing.id]);
      const ofFailing = attempts.filter((attempt) => attempt.key === failing.id);
      expect(ofFailing.map((attempt) => attempt.attempt)).toEqual([1, 2, 3]);
      // The retried event is the original one: same offset on the source topic.
      expect(new Set(ofFailing.map((attempt) => attempt.offset))).toEqual(new Set(['0']));
      // It came back after the first tier's delay (minus timer slack), not at once.
      const [, lastInPlace, fromRetryTopic] = ofFailing;
      expect((fromRetryTopic?.at ?? 0) - (lastInPlace?.at ?? 0)).toBeGreaterThanOrEqual(500);
      // The source partition was committed past all three long before that.
      await waitForCommitPast(kafka, groupId, source, PARTITION, '2');
      await waitForCommitPast(kafka, groupId, retryTopicName(groupId, 1), PARTITION, '0');
      expect(await readTopicToEnd(kafka, deadLetterTopic, ofGroup(groupId))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'moves a message that keeps failing through every tier, then dead-letters it with its whole history',
    async () => {
      const { source, groupId } = await privateSetup('exhaust');
      const article = sampleIngestedArticle();
      const attempts: number[] = [];
      await startRunner({
        source,
        groupId,
        dispatch: async (event) => {
          attempts.push(event.attempt);
          throw new TransientError('DB_08006', `connection lost (attempt ${event.attempt})`);
        },
      });
      const [ceId] = await publishAll(source, [article]);

      const [letter] = await collectMessages(kafka, deadLetterTopic, ofGroup(groupId), 1, 30_000);
      if (!letter) throw new Error('no dead letter');
      // Two attempts in place on the source and on each of the two tiers.
      expect(attempts).toEqual([1, 2, 3, 4, 5, 6]);
      expect(letter.key).toBe(article.id);
      expect(JSON.parse(letter.value?.toString('utf8') ?? 'null')).toEqual(article);
      expect(letter.headers).toMatchObject({
        [DeadLetterHeader.Stage]: 'int-test',
        [DeadLetterHeader.ConsumerGroup]: groupId,
        // The original position, not the retry topic it was last read from: what a redrive sends back to.
        [DeadLetterHeader.OriginalTopic]: source,
        [DeadLetterHeader.OriginalPartition]: String(PARTITION),
        [DeadLetterHeader.OriginalOffset]: '0',
        [DeadLetterHeader.ErrorCode]: 'DB_08006',
        [DeadLetterHeader.ErrorMessage]: 'connection lost (attempt 6)',
        [DeadLetterHeader.Attempts]: '6',
        [CloudEventHeader.Id]: ceId,
      });
      // The message's own headers only: the retry bookkeeping stays behind.
      for (const name of Object.values(RetryHeader)) expect(letter.headers[name]).toBeUndefined();
      const first = Date.parse(letter.headers[DeadLetterHeader.FirstFailureAt] ?? '');
      const last = Date.parse(letter.headers[DeadLetterHeader.LastFailureAt] ?? '');
      // At least both tiers' delays lie between the first and the last failure.
      expect(last - first).toBeGreaterThanOrEqual(1_700);

      // On its way it sat once on each tier, with where it stood.
      const onTiers = await Promise.all(
        [1, 2].map((tier) => readTopicToEnd(kafka, retryTopicName(groupId, tier), () => true)),
      );
      expect(onTiers.map((records) => records.length)).toEqual([1, 1]);
      expect(onTiers.map(([record]) => record?.headers[RetryHeader.Tier])).toEqual(['1', '2']);
      expect(onTiers.map(([record]) => record?.headers[RetryHeader.Attempts])).toEqual(['2', '4']);
      for (const [record] of onTiers) {
        expect(record?.headers).toMatchObject({
          [RetryHeader.OriginalTopic]: source,
          [RetryHeader.OriginalOffset]: '0',
          [RetryHeader.ConsumerGroup]: groupId,
          [CloudEventHeader.Id]: ceId,
        });
        expect(Date.parse(record?.headers[RetryHeader.DueAt] ?? '')).toBeGreaterThan(
          Date.parse(record?.headers[RetryHeader.LastFailureAt] ?? ''),
        );
      }
      // Everything committed: the source and both tiers.
      await waitForCommitPast(kafka, groupId, source, PARTITION, '0');
      await waitForCommitPast(kafka, groupId, retryTopicName(groupId, 2), PARTITION, '0');
      expect(await readTopicToEnd(kafka, deadLetterTopic, ofGroup(groupId))).toHaveLength(1);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'handles a message that recovers on the second tier exactly once, and sends a permanent failure straight to the dead-letter topic',
    async () => {
      const { source, groupId } = await privateSetup('recover');
      const recovering = sampleIngestedArticle();
      const poison = sampleIngestedArticle();
      const attempts = new Map<string, number[]>();
      const succeeded: ConsumedEvent[] = [];
      await startRunner({
        source,
        groupId,
        dispatch: async (event) => {
          const key = event.key ?? '';
          attempts.set(key, [...(attempts.get(key) ?? []), event.attempt]);
          if (key === poison.id) throw new PermanentError('BAD_ARTICLE', 'can never be stored');
          // Down through the source's and the first tier's attempts; back on the second tier.
          if (event.attempt <= 2 * POLICY.maxAttempts) throw new TransientError('TIMEOUT', 'timed out');
          succeeded.push(event);
        },
      });
      await publishAll(source, [recovering, poison]);

      await eventually('the recovering article to be handled', () => succeeded[0], 30_000);
      await waitForCommitPast(kafka, groupId, retryTopicName(groupId, 2), PARTITION, '0');
      // Nothing else comes: wait out the longest delay once more.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(succeeded).toHaveLength(1);
      expect(succeeded[0]?.attempt).toBe(5);
      expect(attempts.get(recovering.id)).toEqual([1, 2, 3, 4, 5]);
      expect(attempts.get(poison.id)).toEqual([1]);

      const letters = await readTopicToEnd(kafka, deadLetterTopic, ofGroup(groupId));
      expect(letters.map((letter) => [letter.key, letter.headers[DeadLetterHeader.Attempts]])).toEqual([
        [poison.id, '1'],
      ]);
      // The permanent failure never went to a retry topic.
      const tierOne = await readTopicToEnd(kafka, retryTopicName(groupId, 1), () => true);
      expect(tierOne.map((record) => record.key)).toEqual([recovering.id]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'sends a batch chunk that keeps failing transiently to the first tier, and handles it from there one at a time',
    async () => {
      const { source, groupId } = await privateSetup('batch');
      const articles = [sampleIngestedArticle(), sampleIngestedArticle(), sampleIngestedArticle()];
      const calls: { ids: string[]; attempt: number }[] = [];
      // All three are on the topic before the member joins, so its first fetch holds them as one chunk
      // (published one by one to a running member, the first fetch could get only the first).
      await publishAll(source, articles);
      await startRunner({
        source,
        groupId,
        batch: {
          maxBatchSize: 10,
          dispatch: async (batch) => {
            calls.push({
              ids: batch.events.map((event) => (event.payload as ArticleIngestedV1).id),
              attempt: batch.attempt,
            });
            // The database is down for the chunk's attempts in place, and back by the time it returns.
            if (calls.length <= POLICY.maxAttempts) throw new TransientError('DB_08006', 'connection lost');
          },
        },
      });
      await eventually(
        'three batches of one from the retry topic',
        () => (calls.filter((call) => call.ids.length === 1).length === 3 ? true : undefined),
        30_000,
      );

      const ids = articles.map((article) => article.id);
      // The whole chunk, twice in place; then each message alone, in order, as its third attempt.
      expect(calls).toEqual([
        { ids, attempt: 1 },
        { ids, attempt: 2 },
        ...ids.map((id) => ({ ids: [id], attempt: 3 })),
      ]);
      await waitForCommitPast(kafka, groupId, source, PARTITION, '2');
      await waitForCommitPast(kafka, groupId, retryTopicName(groupId, 1), PARTITION, '2');
      const onTierOne = await readTopicToEnd(kafka, retryTopicName(groupId, 1), () => true);
      expect(onTierOne.map((record) => record.key)).toEqual(ids);
      expect(await readTopicToEnd(kafka, deadLetterTopic, ofGroup(groupId))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'loses nothing when a member dies after the retry topic acknowledged the message but before it committed the original',
    async () => {
      const { source, groupId } = await privateSetup('crash');
      const article = sampleIngestedArticle();
      await publishAll(source, [article]);

      const child = startCrashMember({ source, groupId });
      const acknowledged = new Promise<void>((resolve) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString('utf8').includes('RETRY_ACKNOWLEDGED')) resolve();
        });
      });
      if (!(await settlesWithin(acknowledged, 60_000))) throw new Error('the member never sent a retry');
      child.kill('SIGKILL');

      const handled: ConsumedEvent[] = [];
      await startRunner({
        source,
        groupId,
        dispatch: async (event) => {
          handled.push(event);
        },
      });
      // The original was not committed: the next member reads it again from the source topic, as a
      // first delivery. The copy on the retry topic is handled too (a duplicate the idempotent
      // handlers absorb): at least once, never lost.
      await eventually(
        'the original and its retry copy to be handled',
        () => (handled.length === 2 ? true : undefined),
        60_000,
      );
      expect(handled.map((event) => event.offset)).toEqual(['0', '0']);
      expect(handled.map((event) => event.attempt).sort()).toEqual([1, 2]);
      for (const event of handled) expect(event.payload).toEqual(article);
      await waitForCommitPast(kafka, groupId, source, PARTITION, '0');
      expect(await readTopicToEnd(kafka, deadLetterTopic, ofGroup(groupId))).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  /** Runs testing/retry-crash-member.ts under ts-node, as a separate process the test can kill. */
  function startCrashMember(input: { source: string; groupId: string }): ChildProcess {
    const root = repoRoot();
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'node_modules', 'ts-node', 'dist', 'bin.js'),
        '--transpile-only',
        '-r',
        './tools/ts-node/register-paths.cjs',
        '--project',
        'libs/kafka/tsconfig.json',
        'libs/kafka/src/testing/retry-crash-member.ts',
      ],
      {
        cwd: root,
        env: {
          ...process.env,
          GROUP_ID: input.groupId,
          SOURCE_TOPIC: input.source,
          DLQ_TOPIC: deadLetterTopic,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    return child;
  }
});

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nx.json not found above the spec');
    dir = parent;
  }
  return dir;
}
