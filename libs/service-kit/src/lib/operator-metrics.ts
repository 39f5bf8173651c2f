import { type INestApplication } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type Kafka } from 'kafkajs';
import { type Logger } from 'pino';
import { type DataSource } from 'typeorm';

import { KAFKA_CLIENT, type KafkaConsumerTransport } from '@newsflow/nest-kafka';
import { MetricsService } from '@newsflow/observability';

import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { pgPoolOf, registerDbPoolMetrics } from './db-pool.metrics';

/** What the lag monitor reads of a consuming service's config (every one has both, from KafkaEnv). */
export interface ConsumerGroupEnv {
  KAFKA_GROUP_ID?: string;
  KAFKA_AUTO_OFFSET_RESET?: 'earliest' | 'latest';
}

/** `newsflow_db_pool_connections` for a service with a TypeORM DataSource; nothing for one without. */
export function watchDbPool(app: INestApplication): void {
  let dataSource: DataSource;
  try {
    dataSource = app.get<DataSource>(getDataSourceToken(), { strict: false });
  } catch {
    return;
  }
  registerDbPoolMetrics(app.get(MetricsService).registry, () => pgPoolOf(dataSource));
}

/**
 * Starts the lag monitor of a consuming service's group, over every topic its member reads: the
 * contract topics and the group's retry tiers, where messages wait out their delays (a retry tier
 * whose lag keeps growing is a dependency that keeps failing). Undefined when the config names no
 * group. Call it once the transport listens.
 */
export function watchConsumerLag(
  app: INestApplication,
  input: { transport: KafkaConsumerTransport; config: ConsumerGroupEnv; logger: Logger },
): ConsumerLagMonitor | undefined {
  const groupId = input.config.KAFKA_GROUP_ID;
  const topics = input.transport.subscribedTopics();
  if (groupId === undefined || topics.length === 0) return undefined;
  const monitor = new ConsumerLagMonitor({
    admin: app.get<Kafka>(KAFKA_CLIENT, { strict: false }).admin(),
    groupId,
    topics,
    startFrom: input.config.KAFKA_AUTO_OFFSET_RESET ?? 'earliest',
    registry: app.get(MetricsService, { strict: false }).registry,
    logger: input.logger.child({ component: 'consumer-lag', groupId }),
  });
  monitor.start();
  return monitor;
}
