import { Writable } from 'node:stream';

import pino from 'pino';

import { REDACTED_PATHS } from './root-logger';
import { MetricsService } from './metrics.service';

function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const logger = pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream);
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
