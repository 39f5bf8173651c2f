import { readFileSync } from 'node:fs';

import { type KafkaConfig, type SASLOptions } from 'kafkajs';

import { type KafkaSecurityEnv } from '@newsflow/config';

/** The kafkajs settings that decide how a client reaches a production cluster. */
export type KafkaConnectionOptions = Pick<KafkaConfig, 'ssl' | 'sasl'>;

type ReadFile = (path: string) => string;
const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

/**
 * kafkajs's `ssl` and `sasl` from the validated environment, reading the certificate files once, now.
 * Nothing for the plaintext development broker, so kafkajs keeps its defaults.
 */
export function kafkaConnectionFromEnv(
  env: KafkaSecurityEnv,
  readFile: ReadFile = readUtf8,
): KafkaConnectionOptions {
  const connection: KafkaConnectionOptions = {};
  if (env.KAFKA_SSL) {
    connection.ssl = {
      rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED,
      ...(env.KAFKA_SSL_CA_FILE === undefined ? {} : { ca: [readFile(env.KAFKA_SSL_CA_FILE)] }),
      ...(env.KAFKA_SSL_CERT_FILE === undefined ? {} : { cert: readFile(env.KAFKA_SSL_CERT_FILE) }),
      ...(env.KAFKA_SSL_KEY_FILE === undefined ? {} : { key: readFile(env.KAFKA_SSL_KEY_FILE) }),
    };
  }
  const sasl = saslFromEnv(env);
  if (sasl) connection.sasl = sasl;
  return connection;
}

function saslFromEnv(env: KafkaSecurityEnv): SASLOptions | undefined {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism === undefined) return undefined;
  // loadConfig already refuses a mechanism without both; this guards callers that built env by hand.
  const username = required(env.KAFKA_SASL_USERNAME, 'KAFKA_SASL_USERNAME');
  const password = required(env.KAFKA_SASL_PASSWORD, 'KAFKA_SASL_PASSWORD');
  switch (mechanism) {
    case 'plain':
      return { mechanism, username, password };
    case 'scram-sha-256':
    case 'scram-sha-512':
      return { mechanism, username, password };
  }
}

function required(value: string | undefined, variable: string): string {
  if (value === undefined) throw new Error(`${variable} is required when KAFKA_SASL_MECHANISM is set`);
  return value;
}
