import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { type Logger } from 'pino';

import { ROOT_LOGGER } from '@newsflow/observability';

import { SecretCipher } from '../crypto/secret-cipher';
import { generateSigningSecret } from '../delivery/webhook-signature';
import { WebhookSigningSecrets } from '../delivery/webhook-signing-secrets';
import { NOTIFICATION_CONFIG } from '../notification.config';
import { type PreviousSigningSecret } from './subscription.entity';
import { type SealedSigningSecrets, SubscriptionRepository } from './subscription.repository';
import { type SubscriptionsEnv } from './subscriptions.config';

/** Enough for a few rotations in a row within one overlap period; older ones stop signing at once. */
const MAX_PREVIOUS_SECRETS = 5;
const RESEAL_PAGE = 500;

/** What a secret is bound to when sealed: a sealed value copied to another row does not open. */
const contextOf = (subscriptionId: string) => `notification.subscriptions/${subscriptionId}/signing-secret`;

export interface RotatedSecret {
  signingSecret: string;
  /** Until when the secret it replaced still signs webhooks. */
  previousSecretExpiresAt: string;
}

/**
 * Signing secrets of subscriptions: generated here, sealed (AES-256-GCM) before they reach the
 * database, shown once. After a rotation the previous secret keeps signing for the overlap period:
 * webhooks carry one `v1,` signature per secret (Standard Webhooks allows several), so a receiver
 * that has not switched yet still verifies them.
 */
@Injectable()
export class SubscriptionSecrets extends WebhookSigningSecrets implements OnApplicationBootstrap {
  private readonly logger: Logger;
  private readonly overlapMs: number;

  constructor(
    @Inject(NOTIFICATION_CONFIG) config: Pick<SubscriptionsEnv, 'WEBHOOK_SECRET_OVERLAP_HOURS'>,
    private readonly cipher: SecretCipher,
    private readonly subscriptions: SubscriptionRepository,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
  ) {
    super();
    this.logger = rootLogger.child({ component: 'subscription-secrets' });
    this.overlapMs = config.WEBHOOK_SECRET_OVERLAP_HOURS * 3_600_000;
  }

  /** A secret for a new subscription: the value to show once, and the sealed value to store. */
  issue(subscriptionId: string): { signingSecret: string; sealed: string } {
    const signingSecret = generateSigningSecret();
    return { signingSecret, sealed: this.cipher.seal(signingSecret, contextOf(subscriptionId)) };
  }

  /** Replaces the current secret; the old one signs on until the overlap ends. Null: no such subscription. */
  async rotate(subscriptionId: string, now = new Date()): Promise<RotatedSecret | null> {
    const { signingSecret, sealed } = this.issue(subscriptionId);
    const expiresAt = new Date(now.getTime() + this.overlapMs).toISOString();
    const changed = await this.subscriptions.changeSecrets(subscriptionId, (secrets) => ({
      current: sealed,
      previous: [{ sealed: secrets.current, expiresAt }, ...unexpired(secrets.previous, now)].slice(
        0,
        MAX_PREVIOUS_SECRETS,
      ),
    }));
    return changed ? { signingSecret, previousSecretExpiresAt: expiresAt } : null;
  }

  /**
   * The secrets that sign a webhook of this subscription now: the current one first, then the previous
   * ones still in their overlap, newest first. Empty for an unknown subscription.
   */
  async signingSecretsFor(subscriptionId: string, now = new Date()): Promise<string[]> {
    return [...((await this.forSubscriptions([subscriptionId], now)).get(subscriptionId) ?? [])];
  }

  /**
   * signingSecretsFor of several subscriptions in one query (a batch of claimed deliveries). A
   * subscription whose secret cannot be read (deleted meanwhile, or sealed with a key that is not
   * configured) is left out and logged, so the others are still delivered.
   */
  async forSubscriptions(
    subscriptionIds: readonly string[],
    now = new Date(),
  ): Promise<Map<string, string[]>> {
    return this.open(await this.subscriptions.sealedSecrets([...new Set(subscriptionIds)]), now);
  }

  /** forSubscriptions of secrets read already (with the deliveries claimed as they were queued). */
  open(sealed: ReadonlyMap<string, SealedSigningSecrets>, now = new Date()): Map<string, string[]> {
    const secrets = new Map<string, string[]>();
    for (const [id, stored] of sealed) {
      try {
        const values = [
          stored.current,
          ...unexpired(stored.previous, now).map((previous) => previous.sealed),
        ];
        secrets.set(
          id,
          values.map((value) => this.cipher.open(value, contextOf(id))),
        );
      } catch (error) {
        this.logger.error({ subscriptionId: id, err: error }, 'could not read the signing secret');
      }
    }
    return secrets;
  }

  /**
   * Seals again every secret that is plaintext (from before encryption, or written without a key) or
   * sealed with a previous key, and drops expired previous secrets. Runs at start; safe to run on
   * several instances at once (rows are locked one at a time). Returns how many rows changed.
   */
  async resealAll(now = new Date()): Promise<number> {
    let changed = 0;
    let after: string | null = null;
    for (;;) {
      const ids = await this.subscriptions.idsAfter(after, RESEAL_PAGE);
      if (ids.length === 0) return changed;
      after = ids[ids.length - 1] as string;
      const page = await this.subscriptions.sealedSecrets(ids);
      for (const [id, secrets] of page) {
        if (!this.needsResealing(secrets, now)) continue;
        try {
          await this.subscriptions.changeSecrets(id, (locked) =>
            this.needsResealing(locked, now) ? this.resealed(id, locked, now) : locked,
          );
          changed += 1;
        } catch (error) {
          // One unreadable row (a key that is gone) must not keep the others plaintext.
          this.logger.error({ subscriptionId: id, err: error }, 'could not reseal a signing secret');
        }
      }
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.cipher.encrypts) {
      this.logger.warn(
        'NOTIFICATION_ENCRYPTION_KEY is not set: signing secrets are stored unencrypted (refused when NODE_ENV=production)',
      );
      return;
    }
    const changed = await this.resealAll();
    if (changed > 0)
      this.logger.info({ subscriptions: changed }, 'signing secrets sealed with the current key');
  }

  private needsResealing(secrets: SealedSigningSecrets, now: Date): boolean {
    return (
      this.cipher.needsResealing(secrets.current) ||
      secrets.previous.some(
        (previous) =>
          this.cipher.needsResealing(previous.sealed) || Date.parse(previous.expiresAt) <= now.getTime(),
      )
    );
  }

  private resealed(id: string, secrets: SealedSigningSecrets, now: Date): SealedSigningSecrets {
    const reseal = (value: string) =>
      this.cipher.needsResealing(value)
        ? this.cipher.seal(this.cipher.open(value, contextOf(id)), contextOf(id))
        : value;
    return {
      current: reseal(secrets.current),
      previous: unexpired(secrets.previous, now).map((previous) => ({
        ...previous,
        sealed: reseal(previous.sealed),
      })),
    };
  }
}

function unexpired(previous: readonly PreviousSigningSecret[], now: Date): PreviousSigningSecret[] {
  return previous.filter((secret) => Date.parse(secret.expiresAt) > now.getTime());
}
