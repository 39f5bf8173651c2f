import { loadConfig } from '@newsflow/config';

import { EnrichmentConfigSchema } from './enrichment.config';

describe('enrichment config', () => {
  it('has working defaults for a local run', () => {
    const config = loadConfig(EnrichmentConfigSchema, {});
    expect(config.PORT).toBe(3001);
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
    expect(config.KAFKA_GROUP_ID).toBe('newsflow-enrichment');
    expect(config.KAFKA_AUTO_OFFSET_RESET).toBe('earliest');
    expect(config.ENRICH_DUPLICATE_MAX_DISTANCE).toBe(6);
    expect(config.ENRICH_WORKERS).toBe(1);
    expect(config.ENRICH_KEYPHRASE_FLUSH_MS).toBe(30_000);
  });

  it('refuses a near-duplicate distance the eight-band lookup cannot guarantee', () => {
    expect(() => loadConfig(EnrichmentConfigSchema, { ENRICH_DUPLICATE_MAX_DISTANCE: '8' })).toThrow(
      /ENRICH_DUPLICATE_MAX_DISTANCE/,
    );
  });

  it('fails naming the variable', () => {
    expect(() => loadConfig(EnrichmentConfigSchema, { KAFKA_AUTO_OFFSET_RESET: 'middle' })).toThrow(
      /KAFKA_AUTO_OFFSET_RESET/,
    );
  });
});
