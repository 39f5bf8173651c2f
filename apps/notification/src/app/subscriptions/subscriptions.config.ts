import { z } from 'zod';

import { positiveIntFromEnv } from '@newsflow/config';

export const SubscriptionsEnvSchema = z.object({
  /** After a rotation the previous signing secret still signs webhooks this long (receivers switch over). */
  WEBHOOK_SECRET_OVERLAP_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(24),
  /** How often each instance checks whether subscriptions changed elsewhere and rebuilds its index. */
  SUBSCRIPTION_INDEX_REFRESH_MS: positiveIntFromEnv(2_000),
});

export type SubscriptionsEnv = z.infer<typeof SubscriptionsEnvSchema>;
