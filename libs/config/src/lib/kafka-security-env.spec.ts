import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { z } from 'zod';

import { KafkaEnvSchema } from './common-env';
import { ConfigError, type Environment, loadConfig } from './load-config';

// Services compose the shared schema this way; the rules between variables must survive it.
const ServiceSchema = z.object({ SERVICE_ONLY: z.string().optional() }).extend(KafkaEnvSchema.shape);

function problemsOf(env: Environment): string[] {
  try {
    loadConfig(ServiceSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.variable}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('Kafka TLS and SASL settings', () => {
  let dir: string;
  let caFile: string;
  let certFile: string;
  let keyFile: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'newsflow-kafka-env-'));
    [caFile, certFile, keyFile] = ['ca.pem', 'client.pem', 'client.key'].map((name) => {
      const path = join(dir, name);
      writeFileSync(path, `-----BEGIN ${name}-----\n`);
      return path;
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is plaintext without authentication by default, checking certificates once TLS is on', () => {
    const config = loadConfig(ServiceSchema, {});
    expect(config.KAFKA_SSL).toBe(false);
    expect(config.KAFKA_SSL_REJECT_UNAUTHORIZED).toBe(true);
    expect(config.KAFKA_SASL_MECHANISM).toBeUndefined();
  });

  it('accepts SASL/SCRAM over TLS with a private CA and a client certificate', () => {
    const config = loadConfig(ServiceSchema, {
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SSL_CERT_FILE: certFile,
      KAFKA_SSL_KEY_FILE: keyFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'newsflow',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(config).toMatchObject({
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: caFile,
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'newsflow',
    });
  });

  it('names the mechanism variable for an unknown mechanism', () => {
    expect(
      problemsOf({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }),
    ).toEqual(['KAFKA_SASL_MECHANISM: must be one of plain, scram-sha-256, scram-sha-512']);
  });

  it('wants a username and a password with a mechanism', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain' })).toEqual([
      'KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is set',
      'KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set',
    ]);
    // An empty value is unset, as for every variable.
    expect(
      problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: '' }),
    ).toEqual(['KAFKA_SASL_PASSWORD: required when KAFKA_SASL_MECHANISM is set']);
  });

  it('wants a mechanism with credentials, rather than connecting without them', () => {
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual([
      'KAFKA_SASL_MECHANISM: required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set (plain, scram-sha-256, scram-sha-512)',
    ]);
  });

  it('refuses certificate files while TLS is off, since they would be ignored', () => {
    expect(problemsOf({ KAFKA_SSL_CA_FILE: caFile })).toEqual([
      'KAFKA_SSL: must be true when KAFKA_SSL_CA_FILE is set',
    ]);
  });

  it('wants a client certificate and its key together', () => {
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: certFile })).toEqual([
      'KAFKA_SSL_KEY_FILE: required when KAFKA_SSL_CERT_FILE is set (a client certificate needs its key)',
    ]);
  });

  it('names the variable whose file cannot be read, at boot', () => {
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })).toEqual([
      'KAFKA_SSL_CA_FILE: must be the path of a readable file',
    ]);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: dir })).toEqual([
      'KAFKA_SSL_CA_FILE: must be the path of a readable file',
    ]);
  });

  it('keeps the path in the config, not the key material', () => {
    const config = loadConfig(ServiceSchema, {
      KAFKA_SSL: 'true',
      KAFKA_SSL_CERT_FILE: certFile,
      KAFKA_SSL_KEY_FILE: keyFile,
    });
    expect(JSON.stringify(config)).not.toContain('BEGIN');
  });
});
