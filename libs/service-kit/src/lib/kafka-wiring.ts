import { type INestApplication } from '@nestjs/common';
import { type Kafka } from 'kafkajs';
import { type Logger } from 'pino';

import { type KafkaEnv } from '@newsflow/config';
import { type Topic } from '@newsflow/contracts';
import { EventPublisher, kafkaConnectionFromEnv } from '@newsflow/kafka';
import { KAFKA_CLIENT, KafkaConsumerTransport, KafkaModule } from '@newsflow/nest-kafka';
import { MetricsService } from '@newsflow/observability';

export function kafkaModuleFor(input: {
  service: string;
  config: KafkaEnv;
  logger: Logger;
  topics: readonly Topic[];
}) {
  return KafkaModule.forRootAsync({
    inject: [],
    useFactory: () => ({
      service: input.config.KAFKA_CLIENT_ID ?? input.service,
      brokers: input.config.KAFKA_BROKERS,
      connection: kafkaConnectionFromEnv(input.config),
      logger: input.logger.child({ component: 'kafka' }),
      topics: input.topics,
      createTopics: input.config.KAFKA_CREATE_TOPICS,
      partitions: input.config.KAFKA_TOPIC_PARTITIONS,
      replicationFactor: input.config.KAFKA_REPLICATION_FACTOR,
    }),
  });
}

/** The consumer transport of a service, with metrics on every outcome. */
export function consumerTransportFor(
  app: INestApplication,
  input: { stage: string; groupId: string; config: KafkaEnv; logger: Logger },
): KafkaConsumerTransport {
  const metrics = app.get(MetricsService);
  return new KafkaConsumerTransport({
    kafka: app.get<Kafka>(KAFKA_CLIENT),
    groupId: input.groupId,
    stage: input.stage,
    publisher: app.get(EventPublisher),
    logger: input.logger.child({ component: 'consumer', groupId: input.groupId }),
    startFrom: input.config.KAFKA_AUTO_OFFSET_RESET,
    maxBatchSize: input.config.KAFKA_MAX_BATCH_SIZE,
    maxBytesPerPartition: input.config.KAFKA_MAX_BYTES_PER_PARTITION,
    partitionsConsumedConcurrently: input.config.KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY,
    fetchMinBytes: input.config.KAFKA_FETCH_MIN_BYTES,
    fetchMaxWaitMs: input.config.KAFKA_FETCH_MAX_WAIT_MS,
    retryPolicy: {
      maxAttempts: input.config.KAFKA_MAX_ATTEMPTS,
      initialBackoffMs: 500,
      maxBackoffMs: 15_000,
      retryTopicDelaysMs: input.config.KAFKA_RETRY_DELAYS_MS,
      createRetryTopics: input.config.KAFKA_CREATE_TOPICS,
    },
    observer: {
      onOutcome: ({ topic, outcome, code, durationSeconds }) => {
        if (outcome === 'retried') {
          metrics.retries.inc({ stage: input.stage, topic, code: code ?? 'unknown' });
          return;
        }
        if (outcome === 'dead_lettered') {
          metrics.deadLetters.inc({ stage: input.stage, topic, code: code ?? 'unknown' });
          metrics.articles.inc({ stage: input.stage, outcome: 'dead_lettered' });
        }
        metrics.stageDuration.observe({ stage: input.stage }, durationSeconds);
      },
      onBatch: ({ topic, size }) => metrics.consumedBatchSize.observe({ stage: input.stage, topic }, size),
    },
  });
}
