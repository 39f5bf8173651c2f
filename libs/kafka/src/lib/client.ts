import { Kafka, logLevel, type LogEntry } from 'kafkajs';

import { type KafkaConnectionOptions } from './client-security';
import { type RuntimeLogger } from './logger';

export interface KafkaClientOptions {
  clientId: string;
  brokers: string[];
  logger: RuntimeLogger;
  /** TLS and SASL for production clusters: `kafkaConnectionFromEnv(config)`. */
  connection?: KafkaConnectionOptions;
}

/** Routes kafkajs's own log lines into the service logger, as structured fields. */
function logCreator(logger: RuntimeLogger) {
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...rest } = log;
      const context = { kafkajs: rest };
      switch (level) {
        case logLevel.ERROR:
          logger.error(context, message);
          break;
        case logLevel.WARN:
          logger.warn(context, message);
          break;
        case logLevel.INFO:
          logger.info(context, message);
          break;
        case logLevel.DEBUG:
        case logLevel.NOTHING:
          logger.debug(context, message);
          break;
      }
    };
}

export function createKafkaClient(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: logCreator(options.logger),
    retry: { initialRetryTime: 300, retries: 8 },
    ...options.connection,
  });
}
