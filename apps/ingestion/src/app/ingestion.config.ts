import { z } from 'zod';

import {
  DatabaseEnvSchema,
  KafkaEnvSchema,
  booleanFromEnv,
  loadConfig,
  positiveIntFromEnv,
} from '@newsflow/config';
import { ServiceEnvSchema } from '@newsflow/service-kit';

export const IngestionConfigSchema = ServiceEnvSchema(3000)
  .extend(KafkaEnvSchema.shape)
  .extend(DatabaseEnvSchema.shape)
  .extend({
    /** `s3://bucket/prefix`, `file:///abs/path` or a folder path; INBOX_DIR is the older name for a folder. */
    INBOX_URL: z.string().min(1).optional(),
    INBOX_DIR: z.string().min(1).default('./data/inbox'),
    /**
     * A local file counts as complete once nothing has written to it for this long (by its mtime). A file
     * written elsewhere and renamed in is taken at once when its last write is older than this, else when
     * it gets this old: a producer that writes under a temporary name (`*.tmp`, `*.part`, a dot-name) and
     * renames waits at most this long. 200 ms keeps that wait within the pipeline's latency aim (p99 under
     * 1 s from drop to stored) while a writer appending in chunks up to ~100 ms apart is still read once,
     * complete. A writer that may pause longer between writes must use a temporary name, or raise this.
     */
    INBOX_STABLE_MS: positiveIntFromEnv(200),
    /** Reconciliation: a full listing that catches anything the events missed. */
    INBOX_RESCAN_INTERVAL_MS: positiveIntFromEnv(60_000),
    INGEST_MAX_FILE_BYTES: positiveIntFromEnv(5 * 1024 * 1024),
    INGEST_MAX_RECORD_BYTES: positiveIntFromEnv(1024 * 1024),
    /**
     * Objects processed at once. An object spends most of its time waiting for Postgres commits and the
     * broker's acknowledgement (~30 ms for ~3 ms of CPU for a text file), so 4 at once kept up with only
     * ~130 files/s and queued files at 100 files/s; 16 gives ~235 files/s on two cores. Each holds one
     * publish batch in memory at most (a single article, or 500 records of a bulk file).
     */
    INGEST_CONCURRENCY: positiveIntFromEnv(16),
    /** Attempts per object (crashes and broker trouble included) before it is rejected with its last error. */
    INGEST_MAX_ATTEMPTS: positiveIntFromEnv(5),
    /** How long one attempt may hold an object before another worker may take it over. */
    INGEST_LEASE_SECONDS: positiveIntFromEnv(300),
    /**
     * Kafka topic of S3 event notifications (MinIO's Kafka target, or AWS events relayed there); read
     * when the inbox is an S3 bucket. `off` turns it off (an empty variable means "unset", as everywhere).
     */
    INGEST_BUCKET_EVENTS_TOPIC: z
      .string()
      .default('s3.bucket-events')
      .transform((topic) => (topic.trim().toLowerCase() === 'off' ? '' : topic.trim())),
    KAFKA_GROUP_ID: z.string().min(1).default('newsflow-ingestion'),
    /** Exact duplicates (same normalized content) are recorded but not published again. */
    INGEST_SKIP_DUPLICATES: booleanFromEnv(true),
  })
  .transform((config) => ({ ...config, inboxUrl: config.INBOX_URL ?? config.INBOX_DIR }));

export type IngestionConfig = z.infer<typeof IngestionConfigSchema>;

export const loadIngestionConfig = (): IngestionConfig => loadConfig(IngestionConfigSchema);

export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');
export const INGESTION_SCHEMA = 'ingestion';
