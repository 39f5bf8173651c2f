import {
  type DynamicModule,
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { type Kafka } from 'kafkajs';

import { type Topic } from '@newsflow/contracts';
import {
  EventPublisher,
  type KafkaConnectionOptions,
  type RuntimeLogger,
  createKafkaClient,
  ensureTopics,
} from '@newsflow/kafka';

import { KafkaHealthIndicator } from './kafka.health';
import { KAFKA_CLIENT, KAFKA_MODULE_OPTIONS } from './kafka.tokens';

export interface KafkaModuleOptions {
  /** Service name: the kafkajs client id and the CloudEvents `source` of what it publishes. */
  service: string;
  brokers: string[];
  /** TLS and SASL for production clusters (`kafkaConnectionFromEnv`); none for the development broker. */
  connection?: KafkaConnectionOptions;
  logger: RuntimeLogger;
  /** Topics the service produces to or consumes from; created at start when `createTopics` is on. */
  topics: readonly Topic[];
  createTopics: boolean;
  partitions: number;
  replicationFactor: number;
}

export interface KafkaModuleAsyncOptions {
  inject: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  useFactory: (...deps: never[]) => KafkaModuleOptions;
}

/** Wires the framework-free Kafka runtime into Nest: one client and one publisher per process. */
@Global()
@Module({})
export class KafkaModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    @Inject(KAFKA_MODULE_OPTIONS) private readonly options: KafkaModuleOptions,
    private readonly publisher: EventPublisher,
    private readonly health: KafkaHealthIndicator,
  ) {}

  static forRootAsync(options: KafkaModuleAsyncOptions): DynamicModule {
    return {
      module: KafkaModule,
      imports: [TerminusModule],
      providers: [
        { provide: KAFKA_MODULE_OPTIONS, inject: options.inject, useFactory: options.useFactory },
        {
          provide: KAFKA_CLIENT,
          inject: [KAFKA_MODULE_OPTIONS],
          useFactory: (moduleOptions: KafkaModuleOptions) =>
            createKafkaClient({
              clientId: moduleOptions.service,
              brokers: moduleOptions.brokers,
              connection: moduleOptions.connection,
              logger: moduleOptions.logger,
            }),
        },
        {
          provide: EventPublisher,
          inject: [KAFKA_CLIENT, KAFKA_MODULE_OPTIONS],
          useFactory: (kafka: Kafka, moduleOptions: KafkaModuleOptions) =>
            new EventPublisher(kafka, `/newsflow/${moduleOptions.service}`),
        },
        KafkaHealthIndicator,
      ],
      exports: [KAFKA_CLIENT, KAFKA_MODULE_OPTIONS, EventPublisher, KafkaHealthIndicator],
    };
  }

  async onModuleInit(): Promise<void> {
    if (this.options.createTopics) {
      await ensureTopics(this.kafka, {
        topics: this.options.topics,
        partitions: this.options.partitions,
        replicationFactor: this.options.replicationFactor,
        logger: this.options.logger,
      });
    }
    await this.publisher.connect();
  }

  /** Runs after consumers stopped (Nest closes microservices first), so their dead letters still go out. */
  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
    await this.health.close();
  }
}
