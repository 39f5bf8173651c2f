/**
 * What the benchmark reads from Kafka, without touching the services: every offset commit, from
 * __consumer_offsets (the storage group's on the enriched topic say when articles were stored: a chunk's
 * offsets are committed after the transaction that stored it), each group's lag every second, and,
 * after a phase, the ingested and enriched events themselves (key = article id, timestamp = when
 * published).
 */
import { randomBytes } from 'node:crypto';

import { Topic } from '@newsflow/contracts';
import { type Admin, type Consumer, type Kafka } from 'kafkajs';

import { type CommitSample, type TopicMessage } from './timeline';

export type Offsets = Map<number, number>;

export interface LagSample {
  at: number;
  /** `<group label> <topic>` → messages behind the end of the topic. */
  lag: Record<string, number>;
}

export interface LagWatch {
  label: string;
  group: string;
  topic: string;
}

export async function topicEnds(admin: Admin, topic: string): Promise<Offsets> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((entry) => [entry.partition, Number(entry.high)]));
}

/** Messages from `start` to `end`, summed over partitions (a partition missing from `start` starts at 0). */
export function between(start: ReadonlyMap<number, number>, end: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [partition, offset] of end) total += Math.max(0, offset - (start.get(partition) ?? 0));
  return total;
}

/** Kafka's internal topic of committed offsets: one record per partition per commit. */
export const OFFSETS_TOPIC = '__consumer_offsets';

/** A committed offset, as decoded from a record of __consumer_offsets. */
export interface OffsetCommitRecord {
  group: string;
  topic: string;
  partition: number;
  offset: number;
}

/**
 * Decodes a record of __consumer_offsets when it is an offset commit (key versions 0 and 1: group,
 * topic and partition; every value version starts with the committed offset after its own version).
 * Group metadata, tombstones and record kinds newer brokers add return undefined.
 */
export function decodeOffsetCommit(key: Buffer | null, value: Buffer | null): OffsetCommitRecord | undefined {
  if (key === null || value === null || key.length < 2 || value.length < 10) return undefined;
  const keyVersion = key.readInt16BE(0);
  if (keyVersion !== 0 && keyVersion !== 1) return undefined;
  let at = 2;
  const readString = (): string => {
    const length = key.readInt16BE(at);
    const text = key.toString('utf8', at + 2, at + 2 + length);
    at += 2 + length;
    return text;
  };
  const group = readString();
  const topic = readString();
  const partition = key.readInt32BE(at);
  return { group, topic, partition, offset: Number(value.readBigInt64BE(2)) };
}

/**
 * Every group's offset commits, read from __consumer_offsets as the broker writes them, instead of
 * asking for committed offsets over and over: a commit's record carries the time the broker wrote it,
 * so the storage group's commits give exact "stored" times at no cost to the broker (polling every
 * 100 ms took a find-coordinator, a metadata and an offset-fetch request each time, and on this kind of
 * machine every broker request costs about a millisecond of CPU the pipeline could have used). Lag is
 * still sampled once a second: the end offsets of the watched topics against the commits read so far.
 */
export class CommitLog {
  /** The storage group's committed offsets on the enriched topic after each of its commits. */
  readonly samples: CommitSample[] = [];
  readonly lags: LagSample[] = [];
  private readonly committed = new Map<string, Offsets>();
  private consumer: Consumer | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private lagReading: Promise<void> | undefined;
  /** Next offset to read, per partition of __consumer_offsets. */
  private readonly position = new Map<number, number>();
  private error: unknown;

  constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly storageGroup: string,
    private readonly lagWatches: readonly LagWatch[],
  ) {}

  async start(): Promise<void> {
    // Commits made before the start are there too (the topic is read from its beginning), so the
    // storage group's offsets from an earlier run on a shared broker are known from the first sample.
    const consumer = this.kafka.consumer({
      groupId: `bench-e2e-commits-${randomBytes(4).toString('hex')}`,
      // The times come from the records: reading them late costs nothing but the progress bar's
      // freshness, so a fetch waits for a second's worth of commits instead of returning each one.
      maxWaitTimeInMs: 1_000,
      minBytes: 64 * 1024,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [OFFSETS_TOPIC], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          this.position.set(batch.partition, Number(message.offset) + 1);
          const commit = decodeOffsetCommit(message.key, message.value);
          if (commit) this.record(commit, Number(message.timestamp));
        }
      },
    });
    this.lagTimer = setInterval(() => {
      this.lagReading ??= this.sampleLag()
        .catch((error: unknown) => {
          this.error = error;
        })
        .finally(() => (this.lagReading = undefined));
    }, 1_000);
  }

  async stop(): Promise<void> {
    clearInterval(this.lagTimer);
    await this.lagReading;
    await this.consumer?.disconnect();
  }

  /** Throws what made reading fail, so that a broken watch does not look like a stalled pipeline. */
  assertHealthy(): void {
    if (this.error !== undefined) throw this.error;
  }

  latest(): CommitSample | undefined {
    return this.samples.at(-1);
  }

  /** Resolves once every commit written so far has been read (for the end of a phase). */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const ends = await topicEnds(this.admin, OFFSETS_TOPIC);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.assertHealthy();
      if ([...ends].every(([partition, end]) => (this.position.get(partition) ?? 0) >= end)) return;
      if (Date.now() > deadline)
        throw new Error(`Reading ${OFFSETS_TOPIC} did not catch up within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** A group's committed offsets on a topic as read so far; partitions without a commit are left out. */
  committedOffsets(group: string, topic: string): Offsets {
    return new Map(this.committed.get(`${group}\u0000${topic}`));
  }

  private record(commit: OffsetCommitRecord, at: number): void {
    const key = `${commit.group}\u0000${commit.topic}`;
    const offsets = this.committed.get(key) ?? new Map<number, number>();
    offsets.set(commit.partition, commit.offset);
    this.committed.set(key, offsets);
    if (commit.group === this.storageGroup && commit.topic === Topic.ArticleEnrichedV1) {
      this.samples.push({ at, offsets: new Map(offsets) });
    }
  }

  private async sampleLag(): Promise<void> {
    const at = Date.now();
    const lag: Record<string, number> = {};
    const ends = new Map<string, Offsets>();
    for (const watch of this.lagWatches) {
      let end = ends.get(watch.topic);
      if (end === undefined) {
        end = await topicEnds(this.admin, watch.topic);
        ends.set(watch.topic, end);
      }
      // A partition the group never committed on counts from 0.
      lag[`${watch.label} ${watch.topic}`] = between(this.committedOffsets(watch.group, watch.topic), end);
    }
    this.lags.push({ at, lag });
  }
}

/** The largest lag seen per `<group> <topic>`, and when. */
export function peakLags(
  samples: readonly LagSample[],
  since: number,
): Record<string, { messages: number; at: number }> {
  const peaks: Record<string, { messages: number; at: number }> = {};
  for (const sample of samples) {
    if (sample.at < since) continue;
    for (const [key, messages] of Object.entries(sample.lag)) {
      const known = peaks[key];
      if (known === undefined || messages > known.messages) peaks[key] = { messages, at: sample.at };
    }
  }
  return peaks;
}

/** The events of `topic` between two readings of its end offsets, read with a group of their own. */
export async function readTopic(
  kafka: Kafka,
  topic: Topic,
  start: ReadonlyMap<number, number>,
  end: ReadonlyMap<number, number>,
): Promise<TopicMessage[]> {
  const wanted = between(start, end);
  if (wanted === 0) return [];
  const consumer = kafka.consumer({ groupId: `bench-e2e-readback-${randomBytes(4).toString('hex')}` });
  const messages: TopicMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    let seen = 0;
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const from = start.get(batch.partition) ?? 0;
        const to = end.get(batch.partition) ?? 0;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < from || offset >= to) continue;
          seen++;
          const id = message.key?.toString('utf8');
          if (id)
            messages.push({ id, partition: batch.partition, offset, timestamp: Number(message.timestamp) });
        }
        if (seen >= wanted) resolveDone();
      },
    });
    for (const [partition, offset] of start) consumer.seek({ topic, partition, offset: String(offset) });
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`Read ${seen} of ${wanted} events of ${topic} back within 60 s`)),
        60_000,
      ).unref(),
    );
    await Promise.race([done, timeout]);
  } finally {
    await consumer.disconnect();
  }
  return messages;
}
