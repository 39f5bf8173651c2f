import { loadConfig } from '@newsflow/config';

import { IngestionConfigSchema } from './ingestion.config';

describe('ingestion config', () => {
  it('watches ./data/inbox by default', () => {
    const config = loadConfig(IngestionConfigSchema, {});
    expect(config.INBOX_DIR).toBe('./data/inbox');
    expect(config.PORT).toBe(3000);
    expect(config.INGEST_MAX_FILE_BYTES).toBe(5 * 1024 * 1024);
  });

  it('rejects a non-numeric limit, naming it', () => {
    expect(() => loadConfig(IngestionConfigSchema, { INGEST_MAX_FILE_BYTES: 'lots' })).toThrow(
      /INGEST_MAX_FILE_BYTES/,
    );
  });
});
