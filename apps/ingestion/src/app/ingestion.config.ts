import { z } from 'zod';

import { KafkaEnvSchema, loadConfig, positiveIntFromEnv } from '@newsflow/config';
import { ServiceEnvSchema } from '@newsflow/service-kit';

export const IngestionConfigSchema = ServiceEnvSchema(3000)
  .extend(KafkaEnvSchema.shape)
  .extend({
    INBOX_DIR: z.string().min(1).default('./data/inbox'),
    /** A file counts as complete once its size has not changed for this long. */
    INBOX_STABLE_MS: positiveIntFromEnv(500),
    /** Full walks of the inbox catch anything the file-system events missed. */
    INBOX_RESCAN_INTERVAL_MS: positiveIntFromEnv(60_000),
    INGEST_MAX_FILE_BYTES: positiveIntFromEnv(5 * 1024 * 1024),
    INGEST_CONCURRENCY: positiveIntFromEnv(4),
  });

export type IngestionConfig = z.infer<typeof IngestionConfigSchema>;

export const loadIngestionConfig = (): IngestionConfig => loadConfig(IngestionConfigSchema);

export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');
