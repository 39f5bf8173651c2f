import { z } from 'zod';

import { KafkaEnvSchema, loadConfig } from '@newsflow/config';
import { ServiceEnvSchema } from '@newsflow/service-kit';

export const EnrichmentConfigSchema = ServiceEnvSchema(3001)
  .extend(KafkaEnvSchema.shape)
  .extend({
    KAFKA_GROUP_ID: z.string().min(1).default('newsflow-enrichment'),
  });

export type EnrichmentConfig = z.infer<typeof EnrichmentConfigSchema>;

export const loadEnrichmentConfig = (): EnrichmentConfig => loadConfig(EnrichmentConfigSchema);
