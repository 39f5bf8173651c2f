/**
 * The consumer path: the events are published to the contract topics first, then the built storage
 * service drains them with a consumer group of its own whose offsets were set, before it started, to
 * the ends of the topics as they were before publishing. So the service reads exactly this run's events
 * (and any another producer published at the same time, which the report would show), and the
 * measurement is the consumer alone, without the publisher competing for the CPUs: from the moment the
 * service's consumer is in its group (its first fetch) to the moment the last offset is committed,
 * which the consumer does only after the chunk's transaction committed.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { type ArticleEnrichedV1, Topic } from '@newsflow/contracts';
import { EventPublisher, ensureTopics } from '@newsflow/kafka';
import { type Admin, type Kafka } from 'kafkajs';

import { PARTITIONS, stderrLogger } from '../kafka-setup';

export const CONSUMED_TOPICS = [Topic.ArticleIngestedV1, Topic.ArticleEnrichedV1] as const;
type ConsumedTopic = (typeof CONSUMED_TOPICS)[number];

/** Offsets per partition, as strings (Kafka offsets are 64-bit). */
export type TopicOffsets = Record<ConsumedTopic, Map<number, string>>;

export const BENCH_EVENT_SOURCE = 'newsflow-bench-storage';

export async function prepareContractTopics(kafka: Kafka): Promise<void> {
  await ensureTopics(kafka, {
    topics: [...CONSUMED_TOPICS],
    partitions: PARTITIONS,
    replicationFactor: 1,
    logger: stderrLogger,
  });
}

export async function endOffsets(admin: Admin): Promise<TopicOffsets> {
  const entries = await Promise.all(
    CONSUMED_TOPICS.map(async (topic) => {
      const partitions = await admin.fetchTopicOffsets(topic);
      return [topic, new Map(partitions.map((p) => [p.partition, p.high]))] as const;
    }),
  );
  return Object.fromEntries(entries) as TopicOffsets;
}

/** Messages between two offset snapshots, per topic. */
export function messagesBetween(from: TopicOffsets, to: TopicOffsets): Record<ConsumedTopic, number> {
  const count = (topic: ConsumedTopic) => {
    let total = 0;
    for (const [partition, end] of to[topic])
      total += Number(BigInt(end) - BigInt(from[topic].get(partition) ?? '0'));
    return total;
  };
  return {
    [Topic.ArticleIngestedV1]: count(Topic.ArticleIngestedV1),
    [Topic.ArticleEnrichedV1]: count(Topic.ArticleEnrichedV1),
  };
}

export interface PublishResult {
  events: number;
  seconds: number;
}

/**
 * Every article's ingested and enriched events, `batch` articles per request (as ingestion publishes),
 * through EventPublisher (contract validation included), the two topics' requests of a batch in parallel.
 */
export async function publishArticles(
  kafka: Kafka,
  articles: readonly ArticleEnrichedV1[],
  batch: number,
): Promise<PublishResult> {
  const publisher = new EventPublisher(kafka, BENCH_EVENT_SOURCE);
  await publisher.connect();
  const started = process.hrtime.bigint();
  try {
    for (let from = 0; from < articles.length; from += batch) {
      const slice = articles.slice(from, from + batch);
      await Promise.all([
        publisher.publishMany(
          Topic.ArticleIngestedV1,
          slice.map((item) => ({ key: item.article.id, payload: item.article })),
        ),
        publisher.publishMany(
          Topic.ArticleEnrichedV1,
          slice.map((item) => ({ key: item.article.id, payload: item })),
        ),
      ]);
    }
  } finally {
    await publisher.disconnect();
  }
  return { events: articles.length * 2, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Commits `offsets` for a group that has no member yet, so that it starts exactly there. */
export async function presetGroupOffsets(
  admin: Admin,
  groupId: string,
  offsets: TopicOffsets,
): Promise<void> {
  for (const topic of CONSUMED_TOPICS) {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [...offsets[topic]].map(([partition, offset]) => ({ partition, offset })),
    });
  }
}

export interface DrainSample {
  /** Seconds since the consumer joined its group. */
  at: number;
  ingested: number;
  enriched: number;
}

export interface DrainResult {
  /** From the consumer joining its group to the last offset committed. */
  seconds: number;
  /** From the service's start to the consumer joining (boot, migrations, group join): not measured. */
  startupSeconds: number;
  samples: DrainSample[];
}

export interface DrainOptions {
  admin: Admin;
  groupId: string;
  start: TopicOffsets;
  end: TopicOffsets;
  /** Throws when the service died, so that a crash is not waited out. */
  assertRunning: () => void;
  /** Called once the consumer is in its group, when the measured time starts. */
  onJoined?: () => void;
  timeoutMs: number;
  pollMs?: number;
}

/** Waits for the group to join, then for its committed offsets to reach `end` on every partition. */
export async function awaitDrain(options: DrainOptions): Promise<DrainResult> {
  const { admin, groupId, pollMs = 50 } = options;
  const startedAt = process.hrtime.bigint();
  const deadline = Date.now() + options.timeoutMs;
  const since = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e9;
  let joinedAt: bigint | undefined;
  const samples: DrainSample[] = [];
  let lastSample = -Infinity;
  for (;;) {
    options.assertRunning();
    if (Date.now() > deadline)
      throw new Error(`The service did not drain the topics within ${options.timeoutMs} ms`);
    if (joinedAt === undefined) {
      const { groups } = await admin.describeGroups([groupId]);
      const group = groups[0];
      if (group?.state === 'Stable' && group.members.length > 0) {
        joinedAt = process.hrtime.bigint();
        options.onJoined?.();
      }
    } else {
      const committed = await committedOffsets(admin, groupId);
      const done = messagesBetween(options.start, committed);
      const at = since(joinedAt);
      if (at - lastSample >= 0.5) {
        samples.push({
          at,
          ingested: done[Topic.ArticleIngestedV1],
          enriched: done[Topic.ArticleEnrichedV1],
        });
        lastSample = at;
      }
      if (reached(committed, options.end)) {
        samples.push({
          at,
          ingested: done[Topic.ArticleIngestedV1],
          enriched: done[Topic.ArticleEnrichedV1],
        });
        return { seconds: at, startupSeconds: Number(joinedAt - startedAt) / 1e9, samples };
      }
    }
    await sleep(pollMs);
  }
}

async function committedOffsets(admin: Admin, groupId: string): Promise<TopicOffsets> {
  const topics = await admin.fetchOffsets({ groupId, topics: [...CONSUMED_TOPICS] });
  const offsets = {
    [Topic.ArticleIngestedV1]: new Map(),
    [Topic.ArticleEnrichedV1]: new Map(),
  } as TopicOffsets;
  for (const { topic, partitions } of topics) {
    const byPartition = offsets[topic as ConsumedTopic];
    if (byPartition === undefined) continue;
    // -1: nothing committed yet; the preset offsets are there from the start, so this is only a guard.
    for (const { partition, offset } of partitions)
      byPartition.set(partition, offset === '-1' ? '0' : offset);
  }
  return offsets;
}

function reached(committed: TopicOffsets, end: TopicOffsets): boolean {
  return CONSUMED_TOPICS.every((topic) =>
    [...end[topic]].every(
      ([partition, offset]) => BigInt(committed[topic].get(partition) ?? '0') >= BigInt(offset),
    ),
  );
}
