import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

import { type SubscriptionFilter } from '@newsflow/subscription-matching';

export type SubscriptionStatus = 'active' | 'paused' | 'disabled';

/** A signing secret replaced by a rotation: it still signs webhooks until `expiresAt`. */
export interface PreviousSigningSecret {
  sealed: string;
  expiresAt: string;
}

@Entity({ name: 'subscriptions' })
export class SubscriptionEntity {
  /** Generated here, not by Postgres: the id is the context its signing secret is sealed with. */
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ name: 'webhook_url', type: 'text' })
  webhookUrl!: string;

  /** Validated against SubscriptionFilterV1Schema before it is written. */
  @Column({ type: 'jsonb' })
  filter!: SubscriptionFilter;

  /** The current signing secret, sealed by SecretCipher; only SubscriptionSecrets reads it. */
  @Column({ name: 'signing_secret_sealed', type: 'text', select: false })
  signingSecretSealed!: string;

  @Column({ name: 'previous_signing_secrets', type: 'jsonb', select: false, default: () => `'[]'::jsonb` })
  previousSigningSecrets!: PreviousSigningSecret[];

  @Column({ type: 'text', default: 'active' })
  status!: SubscriptionStatus;

  // Delivery options and endpoint health (columns of the delivery migration).
  @Column({ name: 'once_per_story', type: 'boolean', default: false })
  oncePerStory!: boolean;

  @Column({ name: 'digest_minutes', type: 'integer', nullable: true })
  digestMinutes!: number | null;

  @Column({ name: 'rate_limit_per_minute', type: 'integer', nullable: true })
  rateLimitPerMinute!: number | null;

  @Column({ name: 'failing_since', type: 'timestamptz', nullable: true })
  failingSince!: Date | null;

  @Column({ name: 'disabled_reason', type: 'text', nullable: true })
  disabledReason!: string | null;

  @Column({ name: 'disabled_at', type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
