import { type Kafka, type Producer } from 'kafkajs';

import { eventually } from './environment';

/**
 * A producer for a test's own bucket-events topic (S3 event notifications as MinIO's Kafka target writes
 * them). Everything goes to one partition, so "the consumer has read the probe" means it reads there.
 */
export class BucketEventsTopic {
  static readonly PARTITION = 0;
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
  ) {}

  async send(value: string): Promise<string> {
    if (!this.producer) {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
    }
    const [result] = await this.producer.send({
      topic: this.topic,
      messages: [{ partition: BucketEventsTopic.PARTITION, value }],
    });
    return result?.baseOffset ?? '-1';
  }

  async committedOffset(groupId: string): Promise<bigint> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const [offsets] = await admin.fetchOffsets({ groupId, topics: [this.topic] });
      const entry = offsets?.partitions.find(
        (partition) => partition.partition === BucketEventsTopic.PARTITION,
      );
      return entry ? BigInt(entry.offset) : -1n;
    } finally {
      await admin.disconnect();
    }
  }

  /** Waits until `groupId` has committed past `offset` on the partition (the message was handled). */
  async waitForCommitPast(groupId: string, offset: string, timeoutMs = 15_000): Promise<void> {
    await eventually(
      `group ${groupId} to commit past ${this.topic}[${BucketEventsTopic.PARTITION}]@${offset}`,
      async () => ((await this.committedOffset(groupId)) > BigInt(offset) ? true : undefined),
      timeoutMs,
    );
  }

  /**
   * A consumer that starts at the end of the topic (auto offset reset "latest") decides where "the end" is
   * at its first fetch, a moment after it joined: messages sent before are never read. This sends harmless
   * probes (`{}`, an event naming no object) until one is committed, after which the consumer reads
   * everything sent to the partition.
   */
  async waitUntilConsumed(groupId: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const offset = await this.send('{}');
      try {
        await this.waitForCommitPast(groupId, offset, 1_500);
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`the bucket-events consumer ${groupId} read none of the probes on ${this.topic}`, {
            cause: error,
          });
        }
      }
    }
  }

  async close(deleteTopic: boolean): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
    if (!deleteTopic) return;
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if ((await admin.listTopics()).includes(this.topic)) await admin.deleteTopics({ topics: [this.topic] });
    } finally {
      await admin.disconnect();
    }
  }
}
