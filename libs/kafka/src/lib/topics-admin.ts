import { setTimeout as sleep } from 'node:timers/promises';

import { type Admin, type Kafka } from 'kafkajs';

import { type RuntimeLogger } from './logger';

export interface EnsureTopicsOptions {
  topics: readonly string[];
  partitions: number;
  replicationFactor: number;
  logger: RuntimeLogger;
}

/**
 * Creates the topics a service uses when they are missing (auto-creation is off on the broker, so a
 * typo cannot create a stray topic). Existing topics are left as they are: repartitioning is an
 * operator's decision.
 */
export async function ensureTopics(kafka: Kafka, options: EnsureTopicsOptions): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = options.topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) await createTopics(admin, missing, options);
    await waitForLeaders(admin, options.topics);
  } finally {
    await admin.disconnect();
  }
}

export interface EnsureRetryTopicsOptions {
  /** The consumer group's retry topics. */
  topics: readonly string[];
  /** The topics the group reads: a new retry topic gets as many partitions as the largest, and its replication. */
  sourceTopics: readonly string[];
  /** False when an operator manages topics (KAFKA_CREATE_TOPICS=false): missing ones are then an error. */
  create: boolean;
  logger: RuntimeLogger;
}

/**
 * Creates a consumer group's missing retry topics like the topics it reads (partitions, replication):
 * a retry storm during an outage is spread over as many members as the original traffic.
 */
export async function ensureRetryTopics(kafka: Kafka, options: EnsureRetryTopicsOptions): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = options.topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0 && !options.create) {
      throw new Error(
        `retry topics missing: ${missing.join(', ')}; create them (as many partitions as ${options.sourceTopics.join(', ')}) or turn KAFKA_CREATE_TOPICS on`,
      );
    }
    if (missing.length > 0) {
      const metadata = await admin.fetchTopicMetadata({ topics: [...options.sourceTopics] });
      const partitions = Math.max(1, ...metadata.topics.map((topic) => topic.partitions.length));
      const replicationFactor = Math.max(
        1,
        ...metadata.topics.flatMap((topic) => topic.partitions.map((partition) => partition.replicas.length)),
      );
      await createTopics(admin, missing, { ...options, partitions, replicationFactor });
    }
    await waitForLeaders(admin, options.topics);
  } finally {
    await admin.disconnect();
  }
}

async function createTopics(admin: Admin, missing: string[], options: EnsureTopicsOptions): Promise<void> {
  try {
    await createMissing(admin, missing, options);
  } catch (error) {
    // Another instance created them first, or the controller has not caught up (kafkajs then reports
    // UNKNOWN_TOPIC_OR_PARTITION): waiting for the leaders below settles it either way.
    options.logger.warn(
      { err: error, topics: missing },
      'creating Kafka topics failed; waiting for them to appear',
    );
  }
}

async function createMissing(admin: Admin, missing: string[], options: EnsureTopicsOptions): Promise<void> {
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: options.partitions,
      replicationFactor: options.replicationFactor,
    })),
  });
  options.logger.info({ topics: missing, partitions: options.partitions }, 'created Kafka topics');
}

/**
 * A topic that was just created (here or by another service starting at the same time) is not
 * usable until every partition has a leader; subscribing earlier fails.
 */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const ready = metadata.topics.every(
        (topic) =>
          topic.partitions.length > 0 && topic.partitions.every((partition) => partition.leader >= 0),
      );
      if (ready) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline)
      throw new Error(`Kafka topics have no leaders after ${timeoutMs} ms: ${topics.join(', ')}`);
    await sleep(200);
  }
}
