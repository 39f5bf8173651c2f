import { createRequire } from 'node:module';

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

interface ProtocolErrorCode {
  type: string;
  code: number;
  retriable: boolean;
  message: string;
}

/**
 * The messages of the Kafka protocol errors kafkajs retries (NOT_LEADER_FOR_PARTITION, REQUEST_TIMED_OUT,
 * a coordinator loading, ...), from kafkajs's own table of error codes. Its typed API does not export the
 * table; kafkajs is pinned (ADR 0001), and a test fails if the table moves.
 */
const RETRIABLE_PROTOCOL_ERRORS: ReadonlySet<string> = new Set(
  (
    createRequire(__filename)('kafkajs/src/protocol/error') as { errorCodes: readonly ProtocolErrorCode[] }
  ).errorCodes
    .filter((error) => error.retriable)
    .map((error) => error.message),
);

/**
 * A broker's answer that kafkajs logs as an error and then tries again: right after a topic is created
 * (its leader is not serving yet) or while leadership moves. The Java client logs these as warnings
 * too; when the retries run out, the caller's own error is logged.
 */
function isRetriedResponseError(message: string, fields: Record<string, unknown>): boolean {
  return (
    message.startsWith('Response ') &&
    typeof fields['error'] === 'string' &&
    RETRIABLE_PROTOCOL_ERRORS.has(fields['error'])
  );
}

/** Routes kafkajs's own log lines into the service logger, as structured fields. */
export function kafkajsLogCreator(logger: RuntimeLogger) {
  return () =>
    ({ level, log }: Pick<LogEntry, 'level' | 'log'>) => {
      const { message, ...rest } = log;
      const context = { kafkajs: rest };
      switch (level) {
        case logLevel.ERROR:
          if (isRetriedResponseError(message, rest)) logger.warn(context, `${message} (kafkajs retries it)`);
          else logger.error(context, message);
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
    logCreator: kafkajsLogCreator(options.logger),
    retry: { initialRetryTime: 300, retries: 8 },
    ...options.connection,
  });
}
