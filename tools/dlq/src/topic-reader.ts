import { randomUUID } from 'node:crypto';

import { type Admin, type Consumer, type Kafka, type KafkaMessage } from 'kafkajs';

/** Throw-away consumer groups are named so; each is deleted when its read ends. */
export const READER_GROUP_PREFIX = 'newsflow-dlq-reader-';

export interface TopicRead {
  topic: string;
  /** One partition and the first offset to read; every partition from its earliest offset when absent. */
  only?: { partition: number; from: string };
  onMessage(partition: number, message: KafkaMessage): void | Promise<void>;
}

export interface ReadOptions {
  kafka: Kafka;
  admin: Admin;
  /** A read that makes no progress for this long fails instead of waiting forever. */
  idleTimeoutMs?: number;
  warn?(line: string): void;
}

interface PartitionWork {
  read: number;
  topic: string;
  partition: number;
  /** Next offset to read, and the high watermark captured at the start: the read stops there. */
  next: bigint;
  end: bigint;
}

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

interface Plan {
  work: PartitionWork[];
  /** Every partition of every topic read: the consumer is assigned all of them. */
  partitions: Map<string, number[]>;
}

/** Offsets to read per partition: [earliest retained (or `only.from`), high watermark at the start). */
async function plan(admin: Admin, reads: readonly TopicRead[]): Promise<Plan> {
  const work: PartitionWork[] = [];
  const partitions = new Map<string, number[]>();
  for (const [index, read] of reads.entries()) {
    const offsets = await admin.fetchTopicOffsets(read.topic);
    partitions.set(
      read.topic,
      offsets.map((watermarks) => watermarks.partition),
    );
    for (const watermarks of offsets) {
      if (read.only && read.only.partition !== watermarks.partition) continue;
      const low = BigInt(watermarks.low);
      const high = BigInt(watermarks.high);
      const from = read.only ? BigInt(read.only.from) : low;
      const next = from > low ? from : low;
      const end = read.only && from + 1n < high ? from + 1n : high;
      if (next < end)
        work.push({ read: index, topic: read.topic, partition: watermarks.partition, next, end });
    }
  }
  return { work, partitions };
}

/**
 * Reads topics from their earliest retained offsets up to the high watermarks seen at the start, so it
 * ends even while producers keep writing. Topics are read one after another, in the order given (the
 * redrive log before the dead letters it decides about), by one consumer, so the group is joined once.
 *
 * kafkajs has no consumer without a group: this one uses a fresh group that never commits and is deleted
 * at the end (a group left by a killed process has no offsets, and the broker forgets it).
 */
export async function readTopics(options: ReadOptions, reads: readonly TopicRead[]): Promise<void> {
  const { work, partitions } = await plan(options.admin, reads);
  if (work.length === 0) return;
  const groupId = `${READER_GROUP_PREFIX}${randomUUID()}`;
  const consumer = options.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    // Short fetch waits: the end of a partition is known in advance, nothing is gained by waiting for more.
    maxWaitTimeInMs: 250,
  });
  try {
    await consume(consumer, { work, partitions }, reads, options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  } finally {
    await consumer.disconnect();
    await deleteGroup(options, groupId);
  }
}

async function consume(
  consumer: Consumer,
  { work, partitions }: Plan,
  reads: readonly TopicRead[],
  idleTimeoutMs: number,
): Promise<void> {
  const byPartition = new Map(work.map((item) => [`${item.topic}:${item.partition}`, item]));
  const pending = new Set(work);
  const currentRead = () => Math.min(...[...pending].map((item) => item.read));
  let lastProgressAt = Date.now();
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // A failure can come while joining, before anyone awaits `finished`: it is awaited below.
  finished.catch(() => undefined);
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    settle?.reject(error);
  };

  const advance = (item: PartitionWork, offset: bigint) => {
    if (offset + 1n > item.next) {
      item.next = offset + 1n;
      lastProgressAt = Date.now();
    }
    if (item.next < item.end || !pending.has(item)) return;
    pending.delete(item);
    consumer.pause([{ topic: item.topic, partitions: [item.partition] }]);
    if (pending.size === 0) settle?.resolve();
    else resumeRead(consumer, pending, currentRead());
  };

  await consumer.subscribe({ topics: [...new Set(work.map((item) => item.topic))], fromBeginning: true });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    // A batch of only compacted-away or control records never reaches eachBatch, but moves the position.
    // Batches with messages are eachBatch's to count (it leaves those of a topic whose turn has not come).
    const item = byPartition.get(`${payload.topic}:${payload.partition}`);
    if (item && payload.batchSize === 0 && pending.has(item) && item.read === currentRead()) {
      advance(item, BigInt(payload.lastOffset));
    }
  });
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (!payload.restart) fail(payload.error);
  });
  await consumer.run({
    autoCommit: false,
    // Messages of a topic whose turn has not come are left unresolved, so kafkajs fetches them again later.
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const item = byPartition.get(`${batch.topic}:${batch.partition}`);
      if (!item || failure || !pending.has(item) || item.read > currentRead()) return;
      const read = reads[item.read] as TopicRead;
      try {
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset >= item.end) {
            // Past the end: what was below it is gone (deleted meanwhile), so this partition is done.
            advance(item, item.end - 1n);
            break;
          }
          if (offset >= item.next) await read.onMessage(batch.partition, message);
          resolveOffset(message.offset);
          advance(item, offset);
          // onMessage may publish (redrive): keep the membership alive through a long batch.
          await heartbeat();
        }
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    },
  });
  // Joined: start where each partition's work starts, and fetch only the first topic in line.
  for (const item of work)
    consumer.seek({ topic: item.topic, partition: item.partition, offset: String(item.next) });
  pauseIdle(consumer, { work, partitions }, currentRead());

  const watchdog = setInterval(() => {
    if (Date.now() - lastProgressAt < idleTimeoutMs) return;
    const stuck = [...pending].map(
      (item) => `${item.topic}[${item.partition}] at ${item.next} of ${item.end}`,
    );
    fail(new Error(`reading stopped making progress for ${idleTimeoutMs / 1000} s: ${stuck.join(', ')}`));
  }, 250);
  try {
    await finished;
  } finally {
    clearInterval(watchdog);
  }
}

/** Pauses every assigned partition that has no work now: finished ones, other partitions, later topics. */
function pauseIdle(consumer: Consumer, { work, partitions }: Plan, current: number): void {
  const active = new Set(
    work.filter((item) => item.read === current).map((item) => `${item.topic}:${item.partition}`),
  );
  for (const [topic, all] of partitions) {
    const idle = all.filter((partition) => !active.has(`${topic}:${partition}`));
    if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
  }
}

function resumeRead(consumer: Consumer, pending: ReadonlySet<PartitionWork>, current: number): void {
  for (const item of pending) {
    if (item.read === current) consumer.resume([{ topic: item.topic, partitions: [item.partition] }]);
  }
}

async function deleteGroup(options: ReadOptions, groupId: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await options.admin.deleteGroups([groupId]);
      return;
    } catch (error) {
      // A read that failed before joining left no group behind.
      if (groupNotFound(error)) return;
      // Right after the member left the group may still be settling (NON_EMPTY_GROUP): try again shortly.
      if (attempt >= 5) {
        options.warn?.(
          `could not delete the reader's consumer group ${groupId}: ${(error as Error).message}`,
        );
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

function groupNotFound(error: unknown): boolean {
  const groups = (error as { groups?: { error?: { type?: string } }[] }).groups;
  return groups !== undefined && groups.every((group) => group.error?.type === 'GROUP_ID_NOT_FOUND');
}
