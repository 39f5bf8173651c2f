import { loadConfig } from '@newsflow/config';

import { IngestionConfigSchema } from './ingestion.config';

describe('ingestion config', () => {
  it('watches ./data/inbox by default', () => {
    const config = loadConfig(IngestionConfigSchema, {});
    expect(config.INBOX_DIR).toBe('./data/inbox');
    expect(config.PORT).toBe(3000);
    expect(config.INGEST_MAX_FILE_BYTES).toBe(5 * 1024 * 1024);
  });

  it('takes a local file once nothing has written to it for 200 ms by default (the latency aim)', () => {
    expect(loadConfig(IngestionConfigSchema, {}).INBOX_STABLE_MS).toBe(200);
    expect(loadConfig(IngestionConfigSchema, { INBOX_STABLE_MS: '1000' }).INBOX_STABLE_MS).toBe(1_000);
  });

  it('processes 16 objects at once by default (enough to keep up with 100 files/s)', () => {
    expect(loadConfig(IngestionConfigSchema, {}).INGEST_CONCURRENCY).toBe(16);
  });

  it('rejects a non-numeric limit, naming it', () => {
    expect(() => loadConfig(IngestionConfigSchema, { INGEST_MAX_FILE_BYTES: 'lots' })).toThrow(
      /INGEST_MAX_FILE_BYTES/,
    );
  });
});
