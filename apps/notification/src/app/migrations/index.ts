import { CreateSubscriptionsAndDeliveries1764100000000 } from './1764100000000-create-subscriptions-and-deliveries';
import { SubscriptionFiltersSecretsApiKeys1764400000000 } from './1764400000000-subscription-filters-secrets-api-keys';
import { DeliveryOptionsAndAttempts1764500000000 } from './1764500000000-delivery-options-and-attempts';

/** Listed explicitly, in order: compiled and bundled output cannot be globbed reliably. */
export const NOTIFICATION_MIGRATIONS = [
  CreateSubscriptionsAndDeliveries1764100000000,
  SubscriptionFiltersSecretsApiKeys1764400000000,
  DeliveryOptionsAndAttempts1764500000000,
];
