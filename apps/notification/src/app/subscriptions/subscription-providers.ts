import { type Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';

import { ApiKeyRepository } from '../api-keys/api-key.repository';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { type EncryptionEnv } from '../crypto/encryption.config';
import { SecretCipher } from '../crypto/secret-cipher';
import { WebhookSigningSecrets } from '../delivery/webhook-signing-secrets';
import { SubscriptionMatcher } from '../matching/subscription-matcher';
import { NOTIFICATION_CONFIG } from '../notification.config';
import { SubscriptionRepository } from './subscription.repository';
import { SubscriptionSecrets } from './subscription-secrets';
import { SubscriptionsService } from './subscriptions.service';

/**
 * Subscriptions, their secrets, the matching index and API-key authentication. The guard is global
 * (APP_GUARD): every HTTP route of the service needs an API key unless marked `@Public()`.
 */
export const SUBSCRIPTION_PROVIDERS: Provider[] = [
  {
    provide: SecretCipher,
    inject: [NOTIFICATION_CONFIG],
    useFactory: (config: EncryptionEnv) =>
      new SecretCipher({
        current: config.NOTIFICATION_ENCRYPTION_KEY,
        previous: config.NOTIFICATION_ENCRYPTION_OLD_KEYS,
      }),
  },
  SubscriptionRepository,
  SubscriptionSecrets,
  { provide: WebhookSigningSecrets, useExisting: SubscriptionSecrets },
  SubscriptionsService,
  SubscriptionMatcher,
  ApiKeyRepository,
  { provide: APP_GUARD, useClass: ApiKeyGuard },
];
