import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Consumer, type Kafka } from 'kafkajs';
import { type Logger } from 'pino';

import { EventPublisher, classifyError, ensureTopics, sendToDeadLetterTopic } from '@newsflow/kafka';
import { KAFKA_CLIENT } from '@newsflow/nest-kafka';
import { S3ObjectStore } from '@newsflow/object-store';
import { ROOT_LOGGER } from '@newsflow/observability';

import { IngestionService } from '../ingest/ingestion.service';
import { INGESTION_CONFIG, type IngestionConfig } from '../ingestion.config';
import { createdObjects } from './bucket-event-records';

/**
 * S3 event notifications from a Kafka topic. Not a Newsflow contract topic (MinIO and AWS write their
 * own format), so it is read with a plain consumer; offsets commit once the named objects are queued,
 * and the ledger and reconciliation make lost or repeated events harmless. Unreadable messages are
 * dead-lettered with their reason.
 */
@Injectable()
export class BucketEventsConsumer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private consumer: Consumer | undefined;

  constructor(
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    private readonly ingestion: IngestionService,
    private readonly publisher: EventPublisher,
  ) {
    this.logger = rootLogger.child({ component: 'bucket-events' });
  }

  async onApplicationBootstrap(): Promise<void> {
    const topic = this.config.INGEST_BUCKET_EVENTS_TOPIC;
    if (!topic || !(this.ingestion.store instanceof S3ObjectStore)) return;
    if (this.config.KAFKA_CREATE_TOPICS) {
      await ensureTopics(this.kafka, {
        topics: [topic],
        partitions: this.config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: this.config.KAFKA_REPLICATION_FACTOR,
        logger: this.logger,
      });
    }
    const groupId = `${this.config.KAFKA_GROUP_ID}-bucket-events`;
    const consumer = this.kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 1_000 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({
      topics: [topic],
      fromBeginning: this.config.KAFKA_AUTO_OFFSET_RESET === 'earliest',
    });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic: from, partition, message }) => {
        let body: unknown;
        try {
          body = JSON.parse(message.value?.toString('utf8') ?? '');
        } catch (error) {
          await sendToDeadLetterTopic(this.publisher, {
            stage: 'ingestion',
            consumerGroup: groupId,
            topic: from,
            partition,
            message,
            error: { ...classifyError(error), code: 'MALFORMED_EVENT' },
            attempts: 1,
            firstFailureAt: new Date(),
            lastFailureAt: new Date(),
          });
        }
        if (body !== undefined) {
          for (const event of createdObjects(body).created) {
            if (event.bucket === this.ingestion.store.bucket) this.ingestion.notify(event.key);
          }
        }
        await consumer.commitOffsets([
          { topic: from, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
    this.logger.info({ topic, groupId }, 'reading bucket events from Kafka');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
