export * from './lib/kafka-batch-pattern';
export * from './lib/kafka-consumer.transport';
export * from './lib/kafka-event.context';
export * from './lib/kafka.health';
export * from './lib/kafka.module';
export * from './lib/kafka.tokens';
