import { z } from 'zod';

import { DatabaseEnvSchema, KafkaEnvSchema, loadConfig } from '@newsflow/config';
import { ServiceEnvSchema } from '@newsflow/service-kit';

export const StorageConfigSchema = ServiceEnvSchema(3002)
  .extend(KafkaEnvSchema.shape)
  .extend(DatabaseEnvSchema.shape)
  .extend({
    KAFKA_GROUP_ID: z.string().min(1).default('newsflow-storage'),
  });

export type StorageConfig = z.infer<typeof StorageConfigSchema>;

export const loadStorageConfig = (): StorageConfig => loadConfig(StorageConfigSchema);

/** The Postgres schema the storage service owns. */
export const STORAGE_SCHEMA = 'storage';
