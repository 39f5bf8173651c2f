import { randomBytes } from 'node:crypto';

import { type Consumer, type IHeaders, Kafka, logLevel } from 'kafkajs';

import { type ArticleIngestedV1, type ArticleRejectedV1, Topic } from '@newsflow/contracts';
import { ensureTopics, silentLogger } from '@newsflow/kafka';
import { topicOffsetsOnceLed } from '@newsflow/kafka/testing';

/** A message read back by a test. */
export interface CollectedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
  /** JSON.parse of the value, or undefined when it is not JSON. */
  json: unknown;
  headers: Record<string, string | undefined>;
  receivedAt: number;
}

export function testKafka(brokers: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: brokers.split(',').map((broker) => broker.trim()),
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string | undefined> {
  const decoded: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    decoded[name] = first === undefined ? undefined : first.toString();
  }
  return decoded;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Collects what arrives on some topics from the moment it is started: the end offsets are read first
 * and the consumer seeks to them, so nothing published after start() is missed and the (shared, long)
 * history of the topics is not read. Messages are kept once per topic/partition/offset (a seek may
 * deliver a message twice to this consumer; a republished event has another offset and counts again).
 * `accept` keeps only the suite's own messages: the topics are shared with other suites.
 */
export class KafkaCollector {
  /** Every message read, this suite's or not (for diagnostics). */
  received = 0;
  private readonly collected: CollectedMessage[] = [];
  private readonly seen = new Set<string>();
  private consumer: Consumer | undefined;
  private crash: Error | undefined;

  private constructor(private readonly accept: (message: CollectedMessage) => boolean) {}

  /** What was collected; throws once the consumer has crashed, so no test waits on a dead collector. */
  get messages(): CollectedMessage[] {
    if (this.crash)
      throw new Error(`the Kafka collector crashed: ${this.crash.message}`, { cause: this.crash });
    return this.collected;
  }

  static async start(
    kafka: Kafka,
    topics: readonly string[],
    accept: (message: CollectedMessage) => boolean,
  ): Promise<KafkaCollector> {
    const collector = new KafkaCollector(accept);
    const starts = new Map<string, bigint>();
    // On a fresh broker the topics may not exist yet (the services create them when they start).
    await ensureTopics(kafka, { topics, partitions: 6, replicationFactor: 1, logger: silentLogger });
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of topics) {
        for (const { partition, high } of await topicOffsetsOnceLed(admin, topic)) {
          starts.set(`${topic}/${partition}`, BigInt(high));
        }
      }
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({
      groupId: `ingestion-int-spec-collector-${randomBytes(6).toString('hex')}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 200,
      heartbeatInterval: 500,
    });
    collector.consumer = consumer;
    consumer.on(consumer.events.CRASH, (event) => {
      collector.crash = event.payload.error;
    });
    // kafkajs loads the code of each Kafka API the first time it uses it. Jest (30) refuses `require`
    // between hooks and tests, so a first fetch or heartbeat there would crash the consumer: both happen
    // here, inside the hook or test that starts the collector.
    const firstFetch = new Promise<void>((resolve) => consumer.on(consumer.events.FETCH, () => resolve()));
    const firstHeartbeat = new Promise<void>((resolve) =>
      consumer.on(consumer.events.HEARTBEAT, () => resolve()),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [...topics], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 6,
      eachMessage: async ({ topic, partition, message }) => {
        const start = starts.get(`${topic}/${partition}`);
        if (start !== undefined && BigInt(message.offset) < start) return;
        const id = `${topic}/${partition}/${message.offset}`;
        if (collector.seen.has(id)) return;
        collector.seen.add(id);
        collector.received++;
        const value = message.value?.toString('utf8') ?? '';
        const collected: CollectedMessage = {
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value,
          json: parseJson(value),
          headers: decodeHeaders(message.headers),
          receivedAt: Date.now(),
        };
        if (collector.accept(collected)) collector.collected.push(collected);
      },
    });
    // run() resolves once the group is joined; the seeks apply before (or right after) the first fetch.
    for (const [topicPartition, offset] of starts) {
      const slash = topicPartition.lastIndexOf('/');
      consumer.seek({
        topic: topicPartition.slice(0, slash),
        partition: Number(topicPartition.slice(slash + 1)),
        offset: offset.toString(),
      });
    }
    const warmedUp = await Promise.race([
      Promise.all([firstFetch, firstHeartbeat]).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 15_000).unref()),
    ]);
    if (!warmedUp || collector.crash) {
      await consumer.disconnect();
      throw new Error(
        `the Kafka collector on ${topics.join(', ')} did not start: ${collector.crash?.message ?? 'no fetch and heartbeat within 15 s'}`,
      );
    }
    return collector;
  }

  on(topic: string): CollectedMessage[] {
    return this.messages.filter((message) => message.topic === topic);
  }

  ingested(filter: (event: ArticleIngestedV1) => boolean = () => true): ArticleIngestedV1[] {
    return this.on(Topic.ArticleIngestedV1)
      .map((message) => message.json as ArticleIngestedV1)
      .filter(filter);
  }

  rejected(filter: (event: ArticleRejectedV1) => boolean = () => true): ArticleRejectedV1[] {
    return this.on(Topic.ArticleRejectedV1)
      .map((message) => message.json as ArticleRejectedV1)
      .filter(filter);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }
}

/** Whether a contract event (ingested or rejected) came from one of these buckets. */
export function fromBuckets(buckets: ReadonlySet<string>) {
  return (message: CollectedMessage): boolean => {
    const source = (message.json as { source?: { bucket?: unknown } } | undefined)?.source;
    return typeof source?.bucket === 'string' && buckets.has(source.bucket);
  };
}

/** Counts per value: which values occur more than once, and how often in all. */
export function duplicatesOf(values: readonly string[]): {
  unique: number;
  extra: number;
  repeated: string[];
} {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const repeated = [...counts].filter(([, count]) => count > 1).map(([value]) => value);
  return { unique: counts.size, extra: values.length - counts.size, repeated };
}
