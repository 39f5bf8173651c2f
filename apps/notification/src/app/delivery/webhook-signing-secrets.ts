import { type SealedSigningSecrets } from '../subscriptions/subscription.repository';

/**
 * Where the delivery worker gets the secrets to sign webhooks with: per subscription, the current
 * secret first, then any earlier ones still valid during a rotation's overlap. Secrets are sealed at
 * rest, so the subscriptions side provides this (it holds the cipher); the worker only asks, once per
 * claimed batch.
 */
export abstract class WebhookSigningSecrets {
  /** Subscriptions without a readable secret (e.g. deleted meanwhile) are missing from the map. */
  abstract forSubscriptions(subscriptionIds: readonly string[]): Promise<Map<string, readonly string[]>>;

  /** The same from the sealed secrets read already, by subscription id (no query). */
  abstract open(sealed: ReadonlyMap<string, SealedSigningSecrets>): Map<string, readonly string[]>;
}
