import { loadConfig } from '@newsflow/config';

import { EnrichmentConfigSchema } from './enrichment.config';

describe('enrichment config', () => {
  it('has working defaults for a local run', () => {
    const config = loadConfig(EnrichmentConfigSchema, {});
    expect(config.PORT).toBe(3001);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.KAFKA_GROUP_ID).toBe('newsflow-enrichment');
    expect(config.KAFKA_AUTO_OFFSET_RESET).toBe('earliest');
  });

  it('fails naming the variable', () => {
    expect(() => loadConfig(EnrichmentConfigSchema, { KAFKA_AUTO_OFFSET_RESET: 'middle' })).toThrow(
      /KAFKA_AUTO_OFFSET_RESET/,
    );
  });
});
