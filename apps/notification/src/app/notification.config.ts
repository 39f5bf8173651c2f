import { z } from 'zod';

import {
  DatabaseEnvSchema,
  KafkaEnvSchema,
  booleanFromEnv,
  loadConfig,
  positiveIntFromEnv,
} from '@newsflow/config';
import { ServiceEnvSchema } from '@newsflow/service-kit';

import { EncryptionEnvSchema, assertEncryptionKeyForEnvironment } from './crypto/encryption.config';
import { DeliveryEnvSchema } from './delivery/delivery.config';
import { SubscriptionsEnvSchema } from './subscriptions/subscriptions.config';

export const NotificationConfigSchema = ServiceEnvSchema(3003)
  .extend(KafkaEnvSchema.shape)
  .extend(DatabaseEnvSchema.shape)
  .extend({
    KAFKA_GROUP_ID: z.string().min(1).default('newsflow-notification'),
    /** Base URL of the storage API, for the article links in webhook payloads. */
    PUBLIC_API_URL: z.url().default('http://127.0.0.1:3002'),
    /** Off in production: webhooks may not target loopback, private or link-local addresses. */
    WEBHOOK_ALLOW_PRIVATE_TARGETS: booleanFromEnv(false),
    WEBHOOK_TIMEOUT_MS: positiveIntFromEnv(10_000),
    /** Seconds to wait after each failed attempt; its length bounds the attempts. */
    WEBHOOK_RETRY_SCHEDULE: z
      .string()
      .default('5,300,1800,7200,18000,36000,36000')
      .transform((value) => value.split(',').map((part) => Number(part.trim())))
      .refine((delays) => delays.length > 0 && delays.every((delay) => Number.isFinite(delay) && delay > 0), {
        message: 'must be a comma-separated list of positive seconds',
      }),
    DELIVERY_POLL_INTERVAL_MS: positiveIntFromEnv(500),
    DELIVERY_BATCH_SIZE: positiveIntFromEnv(20),
  })
  .extend(DeliveryEnvSchema.shape)
  .extend(EncryptionEnvSchema.shape)
  .extend(SubscriptionsEnvSchema.shape);

export type NotificationConfig = z.infer<typeof NotificationConfigSchema>;

export function loadNotificationConfig(): NotificationConfig {
  const config = loadConfig(NotificationConfigSchema);
  assertEncryptionKeyForEnvironment(config);
  return config;
}

export const NOTIFICATION_CONFIG = Symbol('NOTIFICATION_CONFIG');
export const NOTIFICATION_SCHEMA = 'notification';
