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
