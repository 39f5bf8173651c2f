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
