import { Writable } from 'node:stream';

import pino from 'pino';

import { LOG_REDACTION, withoutUrlPassword } from './root-logger';
import { MetricsService } from './metrics.service';

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ redact: LOG_REDACTION }, stream);
  return { logger, lines };
}

describe('log redaction', () => {
  it('never writes secrets, tokens or authorization headers', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      {
        req: { headers: { authorization: 'Bearer abc123', host: 'x' } },
        subscription: { signingSecret: 'whsec_topsecret', name: 'kept' },
        password: 'hunter2',
      },
      'something happened',
    );
    const line = lines.join('');
    expect(line).not.toContain('abc123');
    expect(line).not.toContain('whsec_topsecret');
    expect(line).not.toContain('hunter2');
    expect(line).toContain('kept');
    expect(line).toContain('[redacted]');
  });

  it('hides the Kafka SASL password and client key, in a config or in client options', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      {
        config: { KAFKA_SASL_USERNAME: 'newsflow', KAFKA_SASL_PASSWORD: 'kafka-pw-1' },
        kafka: {
          sasl: { mechanism: 'plain', username: 'newsflow', password: 'kafka-pw-2' },
          ssl: { key: 'PEM-KEY' },
        },
      },
      'connecting',
    );
    logger.info({ KAFKA_SASL_PASSWORD: 'kafka-pw-3', sasl: { password: 'kafka-pw-4' } }, 'top level');
    const text = lines.join('');
    for (const secret of ['kafka-pw-1', 'kafka-pw-2', 'kafka-pw-3', 'kafka-pw-4', 'PEM-KEY']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('"KAFKA_SASL_USERNAME":"newsflow"');
  });

  it('keeps a database URL readable but masks its password', () => {
    const { logger, lines } = captureLogger();
    logger.info(
      {
        config: {
          DATABASE_URL: 'postgres://newsflow:s3cr%40t@db.internal:5432/newsflow?sslmode=verify-full',
        },
        DATABASE_ADMIN_URL: 'postgres://admin:hunter3@db.internal/postgres',
        pg: { connectionString: 'postgres://postgres@127.0.0.1:5432/newsflow' },
      },
      'database',
    );
    const entry = JSON.parse(lines[0] ?? '{}') as {
      config: { DATABASE_URL: string };
      DATABASE_ADMIN_URL: string;
      pg: { connectionString: string };
    };
    expect(entry.config.DATABASE_URL).toBe(
      'postgres://newsflow:[redacted]@db.internal:5432/newsflow?sslmode=verify-full',
    );
    expect(entry.DATABASE_ADMIN_URL).toBe('postgres://admin:[redacted]@db.internal/postgres');
    // Nothing to hide: left as it is.
    expect(entry.pg.connectionString).toBe('postgres://postgres@127.0.0.1:5432/newsflow');
  });

  it('censors a value under a URL key that is not a URL at all', () => {
    expect(withoutUrlPassword('host=db password=hunter4')).toBe('[redacted]');
    expect(withoutUrlPassword('postgres://:onlypw@db/x')).not.toContain('onlypw');
  });
});

describe('MetricsService', () => {
  it('exposes the shared newsflow_* metrics and Node defaults in its own registry', async () => {
    const metrics = new MetricsService();
    metrics.articles.inc({ stage: 'storage', outcome: 'success' });
    metrics.stageDuration.observe({ stage: 'storage' }, 0.02);
    const text = await metrics.registry.metrics();
    expect(text).toContain('newsflow_articles_total{stage="storage",outcome="success"} 1');
    expect(text).toContain('newsflow_stage_duration_seconds_bucket{le="0.025",stage="storage"} 1');
    expect(text).toContain('newsflow_dead_letters_total');
    expect(text).toContain('process_resident_memory_bytes');
  });

  it('keeps instances apart, so tests and several apps in one process do not collide', async () => {
    const first = new MetricsService();
    const second = new MetricsService();
    first.articles.inc({ stage: 'a', outcome: 'success' });
    expect(await second.registry.getSingleMetricAsString('newsflow_articles_total')).not.toContain(
      'stage="a"',
    );
  });
});
