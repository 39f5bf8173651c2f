import { CreateSubscriptionsAndDeliveries1764100000000 } from './1764100000000-create-subscriptions-and-deliveries';

/** Listed explicitly, in order: compiled and bundled output cannot be globbed reliably. */
export const NOTIFICATION_MIGRATIONS = [CreateSubscriptionsAndDeliveries1764100000000];
