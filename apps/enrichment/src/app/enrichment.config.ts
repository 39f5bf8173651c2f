import { z } from 'zod';

import { DatabaseEnvSchema, KafkaEnvSchema, loadConfig, positiveIntFromEnv } from '@newsflow/config';
import { ServiceEnvSchema } from '@newsflow/service-kit';

export const EnrichmentConfigSchema = ServiceEnvSchema(3001)
  .extend(KafkaEnvSchema.shape)
  .extend(DatabaseEnvSchema.shape)
  .extend({
    KAFKA_GROUP_ID: z.string().min(1).default('newsflow-enrichment'),
    /** Worker threads that run the NLP off the consumer's event loop. */
    ENRICH_WORKERS: positiveIntFromEnv(1),
    /** An article that takes longer is dead-lettered (ENRICH_TIMEOUT) instead of stalling its partition. */
    ENRICH_TIMEOUT_MS: positiveIntFromEnv(10_000),
    /** Near-duplicates are looked for among articles published this many days before or after. */
    ENRICH_DUPLICATE_WINDOW_DAYS: z.coerce.number().int().min(0).max(365).default(3),
    /**
     * Most differing SimHash bits for a near-duplicate. At most 7: the lookup splits the 64 bits into
     * eight bands, and only up to 7 differing bits guarantee one band matches exactly. The default, 6,
     * sits in the gap measured on Reuters articles: one- and two-word edits came out 2 to 7 bits apart
     * (p90 5), unrelated articles 10 or more.
     */
    ENRICH_DUPLICATE_MAX_DISTANCE: z.coerce.number().int().min(0).max(7).default(6),
    /** Fingerprints older than this are forgotten (a replay of an older article counts as new). */
    ENRICH_FINGERPRINT_RETENTION_DAYS: positiveIntFromEnv(90),
    /**
     * How often the keyphrase document frequencies counted here are added to Postgres: one row write per
     * phrase seen since the last flush, so a longer interval writes a recurring phrase once for more
     * articles (on the Reuters benchmark at 100 articles/s, 30 s instead of 5 s cut the updates from
     * 5.8 to 1.9 an article). A crash loses this long of counts; other instances see them at their next
     * reload (about a minute) anyway.
     */
    ENRICH_KEYPHRASE_FLUSH_MS: positiveIntFromEnv(30_000),
    /** Keyphrases kept in memory for TF-IDF (the most frequent); rarer ones count as unseen. */
    ENRICH_KEYPHRASE_CAPACITY: positiveIntFromEnv(200_000),
  });

export type EnrichmentConfig = z.infer<typeof EnrichmentConfigSchema>;

export const loadEnrichmentConfig = (): EnrichmentConfig => loadConfig(EnrichmentConfigSchema);

/** The Postgres schema the enrichment service owns. */
export const ENRICHMENT_SCHEMA = 'enrichment';

/** Injection token of the loaded configuration. */
export const ENRICHMENT_CONFIG = Symbol('ENRICHMENT_CONFIG');
