import { z } from 'zod';

import { DatabaseTlsEnvSchema } from './database-tls-env';
import { booleanFromEnv, positiveIntFromEnv } from './env-values';
import { KafkaSecurityEnvSchema } from './kafka-security-env';

export { booleanFromEnv, portFromEnv, positiveIntFromEnv, readableFileFromEnv } from './env-values';

const brokerAddress = /^[^\s,:]+:\d{1,5}$/;

export const KafkaEnvSchema = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((value) =>
      value
        .split(',')
        .map((broker) => broker.trim())
        .filter(Boolean),
    )
    .refine((brokers) => brokers.length > 0 && brokers.every((b) => brokerAddress.test(b)), {
      message: 'must be a comma-separated list of host:port',
    }),
  KAFKA_CLIENT_ID: z.string().optional(),
  /** Services create the topics they use (with this many partitions) unless an operator manages them. */
  KAFKA_CREATE_TOPICS: booleanFromEnv(true),
  KAFKA_TOPIC_PARTITIONS: positiveIntFromEnv(6),
  KAFKA_REPLICATION_FACTOR: positiveIntFromEnv(1),
  /** Where a consumer group with no committed offset starts, as Kafka's auto.offset.reset. */
  KAFKA_AUTO_OFFSET_RESET: z.enum(['earliest', 'latest']).default('earliest'),
  /**
   * Attempts in place per delivery of a message (its first read, and each read from a retry topic),
   * with a short backoff: passing blips are over within them.
   */
  KAFKA_MAX_ATTEMPTS: positiveIntFromEnv(3),
  /**
   * Delays of the consumer group's retry topics (`news.retry.<group>.<n>`): a message still failing
   * transiently after its attempts in place is read again from tier 1 after the first delay, and so on;
   * after the last it is dead-lettered. `none`: retries in place only (an empty variable means unset,
   * as for every variable).
   */
  KAFKA_RETRY_DELAYS_MS: z
    .string()
    .default('1000,10000,60000')
    .transform((value) =>
      value.trim() === 'none'
        ? []
        : value
            .split(',')
            .map((delay) => delay.trim())
            .filter(Boolean),
    )
    .refine((delays) => delays.length <= 10 && delays.every((delay) => /^[1-9]\d{0,8}$/.test(delay)), {
      message: 'must be at most 10 comma-separated delays in milliseconds (positive integers), or none',
    })
    .transform((delays) => delays.map(Number)),
  /** Most messages a batch handler gets per call (one transaction), unless its decorator says otherwise. */
  KAFKA_MAX_BATCH_SIZE: positiveIntFromEnv(500),
  /**
   * Most bytes one fetch takes from a partition (kafkajs maxBytesPerPartition, Kafka's
   * max.partition.fetch.bytes). A batch handler gets at most one fetch's messages per call, so this must
   * hold KAFKA_MAX_BATCH_SIZE messages: kafkajs's 1 MiB held 84 enriched events of 12 KB.
   */
  KAFKA_MAX_BYTES_PER_PARTITION: positiveIntFromEnv(8 * 1024 * 1024),
  /**
   * Partitions a consumer handles at once (kafkajs partitionsConsumedConcurrently). As many as the
   * topics have by default: a single instance then works on all of them together, and batch handlers
   * merge the chunks of partitions handled together into one write (see BatchCoalescer).
   */
  KAFKA_PARTITIONS_CONSUMED_CONCURRENTLY: positiveIntFromEnv(6),
  /**
   * A fetch returns once this many bytes are there or after KAFKA_FETCH_MAX_WAIT_MS (Kafka's
   * fetch.min.bytes and fetch.max.wait.ms): larger batches for a consumer that keeps up, for at most
   * that much latency. 1 returns at once, as Kafka's own default. At 100 articles/s on 2 cores, 200 ms
   * gave a lower drop-to-stored p99 than 100 ms (0.58 to 1.0 s against 0.70 to 1.6 s over four
   * benchmark runs each): half the fetches, commits and transactions per second for a wait that is
   * rarely waited out in full.
   */
  KAFKA_FETCH_MIN_BYTES: positiveIntFromEnv(64 * 1024),
  KAFKA_FETCH_MAX_WAIT_MS: positiveIntFromEnv(200),
  /** TLS and SASL for production clusters; rules between them run in loadConfig. */
  ...KafkaSecurityEnvSchema.shape,
});

export const DatabaseEnvSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, message: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/newsflow'),
  DATABASE_POOL_SIZE: positiveIntFromEnv(10),
  /** TLS to Postgres; rules between it and DATABASE_URL's sslmode run in loadConfig. */
  ...DatabaseTlsEnvSchema.shape,
});

export const LogEnvSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
});

export type KafkaEnv = z.infer<typeof KafkaEnvSchema>;
export type DatabaseEnv = z.infer<typeof DatabaseEnvSchema>;
export type LogEnv = z.infer<typeof LogEnvSchema>;
