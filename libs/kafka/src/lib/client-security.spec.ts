import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { KafkaEnvSchema, type KafkaSecurityEnv, loadConfig } from '@newsflow/config';

import { kafkaConnectionFromEnv } from './client-security';

const env = (variables: Record<string, string>): KafkaSecurityEnv => loadConfig(KafkaEnvSchema, variables);

describe('kafkaConnectionFromEnv', () => {
  let dir: string;
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'newsflow-kafka-tls-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('adds nothing for the plaintext development broker', () => {
    expect(kafkaConnectionFromEnv(env({}))).toEqual({});
  });

  it('turns TLS on with certificate checks, trusting Node’s CAs when no CA file is given', () => {
    expect(kafkaConnectionFromEnv(env({ KAFKA_SSL: 'true' }))).toEqual({ ssl: { rejectUnauthorized: true } });
  });

  it('reads the CA, client certificate and key from their files', () => {
    const connection = kafkaConnectionFromEnv(
      env({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: file('ca.pem', 'CA PEM'),
        KAFKA_SSL_CERT_FILE: file('client.pem', 'CERT PEM'),
        KAFKA_SSL_KEY_FILE: file('client.key', 'KEY PEM'),
        KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
      }),
    );
    expect(connection).toEqual({
      ssl: { rejectUnauthorized: false, ca: ['CA PEM'], cert: 'CERT PEM', key: 'KEY PEM' },
    });
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'])('passes SASL %s with its credentials', (mechanism) => {
    const connection = kafkaConnectionFromEnv(
      env({
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: mechanism,
        KAFKA_SASL_USERNAME: 'nf',
        KAFKA_SASL_PASSWORD: 'pw',
      }),
    );
    expect(connection).toEqual({
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism, username: 'nf', password: 'pw' },
    });
  });

  it('refuses a mechanism without credentials even when the env was not loaded through loadConfig', () => {
    const unchecked = { ...env({}), KAFKA_SASL_MECHANISM: 'plain' as const, KAFKA_SASL_USERNAME: 'nf' };
    expect(() => kafkaConnectionFromEnv(unchecked)).toThrow(
      'KAFKA_SASL_PASSWORD is required when KAFKA_SASL_MECHANISM is set',
    );
  });
});
