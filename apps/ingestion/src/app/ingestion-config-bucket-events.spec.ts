import { loadConfig } from '@newsflow/config';

import { IngestionConfigSchema } from './ingestion.config';

describe('ingestion config: INGEST_BUCKET_EVENTS_TOPIC', () => {
  it('reads S3 event notifications from s3.bucket-events by default', () => {
    expect(loadConfig(IngestionConfigSchema, {}).INGEST_BUCKET_EVENTS_TOPIC).toBe('s3.bucket-events');
  });

  it('takes another topic name', () => {
    expect(
      loadConfig(IngestionConfigSchema, { INGEST_BUCKET_EVENTS_TOPIC: 'minio.events' })
        .INGEST_BUCKET_EVENTS_TOPIC,
    ).toBe('minio.events');
  });

  it('is off when set to off', () => {
    expect(
      loadConfig(IngestionConfigSchema, { INGEST_BUCKET_EVENTS_TOPIC: 'off' }).INGEST_BUCKET_EVENTS_TOPIC,
    ).toBe('');
  });
});
