import { z } from 'zod';

import { positiveIntFromEnv } from '@newsflow/config';

import { type NotificationConfig } from '../notification.config';

/** Delivery settings beyond the webhook basics; NotificationConfigSchema extends it. */
export const DeliveryEnvSchema = z.object({
  /** An endpoint failing (no 2xx) for this long is disabled; its deliveries are held until resumed. */
  WEBHOOK_DISABLE_AFTER_HOURS: positiveIntFromEnv(120),
  /**
   * Webhooks one instance sends at once, handed over by the matching handler or claimed by the poll;
   * past it, new deliveries wait in the outbox for the poll (or another instance).
   */
  DELIVERY_MAX_IN_FLIGHT: positiveIntFromEnv(100),
});

export type DeliveryEnv = z.infer<typeof DeliveryEnvSchema>;

/** What the delivery worker reads from the service's configuration. */
export type DeliveryConfig = Pick<
  NotificationConfig,
  | 'WEBHOOK_TIMEOUT_MS'
  | 'WEBHOOK_ALLOW_PRIVATE_TARGETS'
  | 'WEBHOOK_RETRY_SCHEDULE'
  | 'DELIVERY_POLL_INTERVAL_MS'
  | 'DELIVERY_BATCH_SIZE'
> &
  DeliveryEnv;

/** Knobs that are not configuration: tests shorten the rate-limit window instead of waiting minutes. */
export interface DeliveryWorkerOptions {
  /** The "minute" of `rate_limit_per_minute`, in seconds (60). */
  rateWindowSeconds?: number;
}

export const DELIVERY_WORKER_OPTIONS = Symbol('DELIVERY_WORKER_OPTIONS');
