/**
 * Helpers for the integration specs that run against a real broker (`*.int-spec.ts`). Not exported
 * from the library index: only tests import them, by relative path.
 */
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { type Admin, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';

import { ALL_TOPICS, type ArticleIngestedV1, headerString } from '@newsflow/contracts';

import { createKafkaClient } from '../lib/client';
import { silentLogger } from '../lib/logger';
import { ensureTopics } from '../lib/topics-admin';

/**
 * The brokers the integration tests talk to. Fails loudly when the variable is missing: a suite that
 * silently skips would report green without having tested anything.
 */
export function requireBrokers(): string[] {
  const value = process.env['KAFKA_BROKERS'];
  const brokers = (value ?? '')
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

/** A name no other test (or earlier run) uses: consumer group ids, client ids, keys. */
export function uniqueId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** A fresh, valid article id (32 lowercase hex characters), also used as the message key. */
export function newArticleId(): string {
  return randomBytes(16).toString('hex');
}

/** A valid `news.articles.ingested.v1` payload with a fresh id; override any field. */
export function sampleIngestedArticle(overrides: Partial<ArticleIngestedV1> = {}): ArticleIngestedV1 {
  const contentHash = createHash('sha256').update(randomBytes(32)).digest('hex');
  const paragraphs = ['First paragraph of the test article.', 'Second paragraph, a little longer.'];
  const now = new Date().toISOString();
  return {
    id: contentHash.slice(0, 32),
    contentHash,
    publishedAt: '2022-02-22',
    lede: 'A lede for an integration test',
    paragraphs,
    text: paragraphs.join('\n\n'),
    wordCount: 17,
    source: { bucket: 'local', key: `tests/${contentHash.slice(0, 8)}.txt`, sizeBytes: 512 },
    parserVersion: 'test-1',
    firstSeenAt: now,
    ingestedAt: now,
    ...overrides,
  };
}

/** A kafkajs client for tests, quiet and pointing at KAFKA_BROKERS. */
export function testKafkaClient(clientId = uniqueId('newsflow-test')): Kafka {
  return createKafkaClient({ clientId, brokers: requireBrokers(), logger: silentLogger });
}

/** Creates every contract topic (6 partitions, replication 1) when missing. */
export async function ensureContractTopics(kafka: Kafka): Promise<void> {
  await ensureTopics(kafka, {
    topics: ALL_TOPICS,
    partitions: 6,
    replicationFactor: 1,
    logger: silentLogger,
  });
}

/** Deletes a suite's private topics (nothing when there are none). */
export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] });
  } finally {
    await admin.disconnect();
  }
}

/** Whether `promise` settles within `timeoutMs`; the timer never outlives the call. */
export async function settlesWithin(promise: Promise<unknown>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A message read back by a test, with its headers decoded to strings. */
export interface CollectedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string | undefined> {
  const decoded: Record<string, string | undefined> = {};
  for (const name of Object.keys(headers ?? {})) decoded[name] = headerString(headers, name);
  return decoded;
}

function toCollected(topic: string, partition: number, message: KafkaMessage): CollectedMessage {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    value: message.value,
    headers: decodeHeaders(message.headers),
  };
}

/**
 * Reads `topic` from the beginning with a plain kafkajs consumer in a fresh group (committing nothing
 * that matters to anyone) and resolves with the first `count` messages that match `predicate`. Other
 * runs' messages may sit on the topic: the predicate must pick out the test's own. Rejects after
 * `timeoutMs` with what it did find.
 */
export async function collectMessages(
  kafka: Kafka,
  topic: string,
  predicate: (message: CollectedMessage) => boolean,
  count: number,
  timeoutMs = 30_000,
): Promise<CollectedMessage[]> {
  const consumer = kafka.consumer({
    groupId: uniqueId('test-collector'),
    allowAutoTopicCreation: false,
    // Short fetch waits: disconnecting waits for the fetch in flight.
    maxWaitTimeInMs: 500,
  });
  const found: CollectedMessage[] = [];
  let done!: () => void;
  const complete = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 6,
      eachMessage: async ({ partition, message }) => {
        const collected = toCollected(topic, partition, message);
        if (found.length < count && predicate(collected)) {
          found.push(collected);
          if (found.length === count) done();
        }
      },
    });
    if (!(await settlesWithin(complete, timeoutMs))) {
      throw new Error(
        `collectMessages(${topic}): found ${found.length} of ${count} matching messages within ${timeoutMs} ms` +
          (found.length > 0 ? `: ${JSON.stringify(found.map((message) => message.key))}` : ''),
      );
    }
    return found;
  } finally {
    await consumer.disconnect();
  }
}

/**
 * The topic's offsets, tried again for up to 15 s: right after a topic is created, and on a broker busy
 * with other suites' topics, a partition's leader answers NOT_LEADER_OR_FOLLOWER for a moment.
 */
export async function topicOffsetsOnceLed(
  admin: Admin,
  topic: string,
): Promise<{ partition: number; high: string; low: string }[]> {
  return eventually(`the offsets of ${topic}`, () => admin.fetchTopicOffsets(topic), 15_000, 250);
}

/** The end offset of each partition of `topic`: where messages sent from now on will be. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, string>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await topicOffsetsOnceLed(admin, topic);
    return new Map(offsets.map(({ partition, high }) => [partition, high]));
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads `topic` from the beginning (or from `startOffsets`, per partition: what endOffsets returned
 * before the test sent anything, so a shared topic's history is skipped) up to the end offsets it has
 * when called, and resolves with every matching message. Proves absence: whatever a consumer sent
 * before the call is among what is read.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  predicate: (message: CollectedMessage) => boolean,
  timeoutMs = 30_000,
  startOffsets?: ReadonlyMap<number, string>,
): Promise<CollectedMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets: { partition: number; high: string; low: string }[];
  try {
    offsets = await topicOffsetsOnceLed(admin, topic);
  } finally {
    await admin.disconnect();
  }
  // Next offset still to read, per partition; a partition is done once it reaches its end offset.
  const remaining = new Map<number, { next: bigint; end: bigint }>();
  for (const { partition, high, low } of offsets) {
    const start = BigInt(startOffsets?.get(partition) ?? low);
    const next = start > BigInt(low) ? start : BigInt(low);
    if (BigInt(high) > next) remaining.set(partition, { next, end: BigInt(high) });
  }
  if (remaining.size === 0) return [];

  const consumer = kafka.consumer({
    groupId: uniqueId('test-reader'),
    allowAutoTopicCreation: false,
    // Short fetch waits: disconnecting waits for the fetch in flight.
    maxWaitTimeInMs: 500,
  });
  const found: CollectedMessage[] = [];
  let done!: () => void;
  const complete = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 6,
      eachMessage: async ({ partition, message }) => {
        const progress = remaining.get(partition);
        if (!progress) return;
        const offset = BigInt(message.offset);
        if (offset < progress.next || offset >= progress.end) return;
        const collected = toCollected(topic, partition, message);
        if (predicate(collected)) found.push(collected);
        progress.next = offset + 1n;
        if (progress.next >= progress.end) {
          remaining.delete(partition);
          if (remaining.size === 0) done();
        }
      },
    });
    // Skip what lies before the start (messages fetched before the seek are ignored above).
    for (const [partition, { next }] of remaining) {
      if (startOffsets?.has(partition)) consumer.seek({ topic, partition, offset: next.toString() });
    }
    if (!(await settlesWithin(complete, timeoutMs))) {
      throw new Error(
        `readTopicToEnd(${topic}): partitions ${[...remaining.keys()].join(', ')} not read to their end within ${timeoutMs} ms`,
      );
    }
    return found;
  } finally {
    await consumer.disconnect();
  }
}

/** The committed offset of `groupId` on one partition, as a bigint (-1 when nothing is committed). */
export async function committedOffset(
  kafka: Kafka,
  groupId: string,
  topic: string,
  partition: number,
): Promise<bigint> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [topicOffsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const entry = topicOffsets?.partitions.find((candidate) => candidate.partition === partition);
    return entry ? BigInt(entry.offset) : -1n;
  } finally {
    await admin.disconnect();
  }
}

/** Polls until the group's committed offset on the partition is past `offset` (the message is done). */
export async function waitForCommitPast(
  kafka: Kafka,
  groupId: string,
  topic: string,
  partition: number,
  offset: string,
  timeoutMs = 30_000,
): Promise<bigint> {
  const target = BigInt(offset);
  let last = -1n;
  await eventually(
    `group ${groupId} to commit past ${topic}[${partition}]@${offset}`,
    async () => {
      last = await committedOffset(kafka, groupId, topic, partition);
      return last > target ? true : undefined;
    },
    timeoutMs,
  );
  return last;
}

/** Polls until `probe` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  description: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}` +
          (lastError === undefined ? '' : `: ${String(lastError)}`),
      );
    }
    await sleep(intervalMs);
  }
}

/** A promise with its resolve function, for signals from inside a handler. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
