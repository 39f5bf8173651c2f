/**
 * What the benchmark reads from Kafka, without touching the services: the storage group's committed
 * offsets on the enriched topic every 100 ms (a chunk's offsets are committed after the transaction
 * that stored it: that is when its articles were stored), each group's lag every second, and, after a
 * phase, the ingested and enriched events themselves (key = article id, timestamp = when published).
 */
import { randomBytes } from 'node:crypto';

import { Topic } from '@newsflow/contracts';
import { type Admin, type Kafka } from 'kafkajs';

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

/** Committed offsets of a group; partitions without a commit are left out. */
export async function committedOffsets(admin: Admin, group: string, topic: string): Promise<Offsets> {
  const [result] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const offsets: Offsets = new Map();
  for (const entry of result?.partitions ?? []) {
    const offset = Number(entry.offset);
    if (offset >= 0) offsets.set(entry.partition, offset);
  }
  return offsets;
}

/** Messages from `start` to `end`, summed over partitions (a partition missing from `start` starts at 0). */
export function between(start: ReadonlyMap<number, number>, end: ReadonlyMap<number, number>): number {
  let total = 0;
  for (const [partition, offset] of end) total += Math.max(0, offset - (start.get(partition) ?? 0));
  return total;
}

export class CommitSampler {
  readonly samples: CommitSample[] = [];
  readonly lags: LagSample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastLagAt = 0;
  private error: unknown;

  constructor(
    private readonly admin: Admin,
    private readonly storageGroup: string,
    private readonly lagWatches: readonly LagWatch[],
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    const tick = () => {
      this.running = this.sample()
        .catch((error: unknown) => {
          this.error = error;
        })
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Throws what made sampling fail, so that a broken watch does not look like a stalled pipeline. */
  assertHealthy(): void {
    if (this.error !== undefined) throw this.error;
  }

  latest(): CommitSample | undefined {
    return this.samples.at(-1);
  }

  private async sample(): Promise<void> {
    const offsets = await committedOffsets(this.admin, this.storageGroup, Topic.ArticleEnrichedV1);
    this.samples.push({ at: Date.now(), offsets });
    if (Date.now() - this.lastLagAt >= 1_000) {
      this.lastLagAt = Date.now();
      const lag: Record<string, number> = {};
      const ends = new Map<string, Offsets>();
      for (const watch of this.lagWatches) {
        let end = ends.get(watch.topic);
        if (end === undefined) {
          end = await topicEnds(this.admin, watch.topic);
          ends.set(watch.topic, end);
        }
        lag[`${watch.label} ${watch.topic}`] = between(
          await committedOffsets(this.admin, watch.group, watch.topic),
          end,
        );
      }
      this.lags.push({ at: this.lastLagAt, lag });
    }
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
