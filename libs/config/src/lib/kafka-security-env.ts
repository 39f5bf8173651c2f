import { z } from 'zod';

import { booleanFromEnv, readableFileFromEnv } from './env-values';
import { type ConfigProblem } from './load-config';

/** The SASL mechanisms kafkajs speaks that need nothing but a username and a password. */
export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

/**
 * TLS and SASL towards the brokers. Certificates and keys are files (mounted secrets), read once at
 * start: PEM in an environment variable means multi-line values that env files and shells mangle.
 */
export const KafkaSecurityEnvSchema = z.object({
  /** TLS to the brokers (their SSL or SASL_SSL listener). Off for the plaintext development broker. */
  KAFKA_SSL: booleanFromEnv(false),
  /** CA bundle the brokers' certificates are checked against, when not a public CA Node already trusts. */
  KAFKA_SSL_CA_FILE: readableFileFromEnv().optional(),
  /** Client certificate and key, for brokers that authenticate clients by TLS (mTLS). */
  KAFKA_SSL_CERT_FILE: readableFileFromEnv().optional(),
  KAFKA_SSL_KEY_FILE: readableFileFromEnv().optional(),
  /** Only for a test cluster with a self-signed certificate: false accepts any certificate. */
  KAFKA_SSL_REJECT_UNAUTHORIZED: booleanFromEnv(true),
  KAFKA_SASL_MECHANISM: z
    .enum(KAFKA_SASL_MECHANISMS, { message: `must be one of ${KAFKA_SASL_MECHANISMS.join(', ')}` })
    .optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
});

export type KafkaSecurityEnv = z.infer<typeof KafkaSecurityEnvSchema>;

/** What no single variable can check: settings that only make sense together. */
export function kafkaSecurityProblems(env: KafkaSecurityEnv): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const saslGiven = env.KAFKA_SASL_USERNAME !== undefined || env.KAFKA_SASL_PASSWORD !== undefined;
  if (env.KAFKA_SASL_MECHANISM === undefined) {
    if (saslGiven) {
      problems.push({
        variable: 'KAFKA_SASL_MECHANISM',
        message: `required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set (${KAFKA_SASL_MECHANISMS.join(', ')})`,
      });
    }
  } else {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (env[variable] === undefined) {
        problems.push({ variable, message: 'required when KAFKA_SASL_MECHANISM is set' });
      }
    }
  }

  if (!env.KAFKA_SSL) {
    // A CA or client certificate without TLS would be silently ignored: the operator meant TLS.
    for (const variable of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const) {
      if (env[variable] !== undefined) {
        problems.push({ variable: 'KAFKA_SSL', message: `must be true when ${variable} is set` });
      }
    }
  }
  if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined)) {
    const missing = env.KAFKA_SSL_CERT_FILE === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE';
    const given = missing === 'KAFKA_SSL_CERT_FILE' ? 'KAFKA_SSL_KEY_FILE' : 'KAFKA_SSL_CERT_FILE';
    problems.push({
      variable: missing,
      message: `required when ${given} is set (a client certificate needs its key)`,
    });
  }
  return problems;
}
