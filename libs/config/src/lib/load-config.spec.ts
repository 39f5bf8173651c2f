import { z } from 'zod';

import { DatabaseEnvSchema, KafkaEnvSchema, booleanFromEnv, portFromEnv } from './common-env';
import { ConfigError, loadConfig } from './load-config';

const schema = KafkaEnvSchema.extend(DatabaseEnvSchema.shape).extend({
  PORT: portFromEnv(3000),
  WATCH: booleanFromEnv(false),
});

describe('loadConfig', () => {
  it('applies defaults to an empty environment', () => {
    const config = loadConfig(schema, {});
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/newsflow');
    expect(config.PORT).toBe(3000);
    expect(config.WATCH).toBe(false);
    expect(config.KAFKA_MAX_BYTES_PER_PARTITION).toBe(8 * 1024 * 1024);
    expect(config.KAFKA_MAX_ATTEMPTS).toBe(3);
    expect(config.KAFKA_RETRY_DELAYS_MS).toEqual([1_000, 10_000, 60_000]);
  });

  it('reads the retry topic delays: a list, or none for retries in place only', () => {
    expect(loadConfig(schema, { KAFKA_RETRY_DELAYS_MS: '500, 5000' }).KAFKA_RETRY_DELAYS_MS).toEqual([
      500, 5_000,
    ]);
    expect(loadConfig(schema, { KAFKA_RETRY_DELAYS_MS: 'none' }).KAFKA_RETRY_DELAYS_MS).toEqual([]);
    for (const bad of ['1s', '0', '-5', '1000,,x', '1,2,3,4,5,6,7,8,9,10,11']) {
      expect(() => loadConfig(schema, { KAFKA_RETRY_DELAYS_MS: bad })).toThrow(
        /KAFKA_RETRY_DELAYS_MS: must be/,
      );
    }
  });

  it('parses and coerces values', () => {
    const config = loadConfig(schema, {
      KAFKA_BROKERS: 'a:1, b:2',
      KAFKA_MAX_BYTES_PER_PARTITION: '1048576',
      PORT: '8080',
      WATCH: 'yes',
    });
    expect(config.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(config.KAFKA_MAX_BYTES_PER_PARTITION).toBe(1_048_576);
    expect(config.PORT).toBe(8080);
    expect(config.WATCH).toBe(true);
  });

  it('treats empty strings as unset', () => {
    expect(loadConfig(schema, { PORT: '' }).PORT).toBe(3000);
  });

  it('fails naming every bad variable', () => {
    const attempt = () =>
      loadConfig(schema, { PORT: 'eighty', DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'no-port' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
      expect(variables).toEqual(['DATABASE_URL', 'KAFKA_BROKERS', 'PORT']);
      expect((error as ConfigError).message).toContain('PORT');
    }
  });

  it('rejects values outside an enum with the variable name', () => {
    expect(() => loadConfig(z.object({ MODE: z.enum(['a', 'b']) }), { MODE: 'c' })).toThrow(/MODE/);
  });
});
