import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager, type Repository } from 'typeorm';

import { type SubscriptionFilter } from '@newsflow/subscription-matching';

import { preparedQuery } from '../database/prepared-query';
import { type PreviousSigningSecret, SubscriptionEntity } from './subscription.entity';

/** Delivery options a client sets; null means "not limited" / "send at once". */
export interface SubscriptionOptions {
  oncePerStory: boolean;
  digestMinutes: number | null;
  rateLimitPerMinute: number | null;
}

export interface NewSubscription extends SubscriptionOptions {
  id: string;
  name: string;
  webhookUrl: string;
  filter: SubscriptionFilter;
  signingSecretSealed: string;
}

export type SubscriptionChanges = Partial<
  Pick<NewSubscription, 'name' | 'webhookUrl' | 'filter'> & SubscriptionOptions
>;

/** What the matching index needs of an active subscription. */
export interface IndexedSubscription {
  id: string;
  name: string;
  filter: SubscriptionFilter;
}

export interface SealedSigningSecrets {
  current: string;
  previous: PreviousSigningSecret[];
}

/** Changes whenever a subscription is created, changed or deleted (any instance): see SubscriptionMatcher. */
export interface SubscriptionsVersion {
  count: number;
  lastUpdatedAt: string | null;
}

/** The only place that reads or writes `notification.subscriptions`. */
@Injectable()
export class SubscriptionRepository {
  private readonly subscriptions: Repository<SubscriptionEntity>;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.subscriptions = dataSource.getRepository(SubscriptionEntity);
  }

  async create(input: NewSubscription): Promise<SubscriptionEntity> {
    await this.subscriptions.insert({ ...input, status: 'active', previousSigningSecrets: [] });
    return (await this.findById(input.id)) as SubscriptionEntity;
  }

  async list(): Promise<SubscriptionEntity[]> {
    return this.subscriptions.find({ order: { createdAt: 'DESC', id: 'DESC' } });
  }

  async findById(id: string): Promise<SubscriptionEntity | null> {
    return this.subscriptions.findOneBy({ id });
  }

  /** Applies the changes; null when there is no such subscription. */
  async update(id: string, changes: SubscriptionChanges): Promise<SubscriptionEntity | null> {
    if (Object.keys(changes).length > 0) {
      const result = await this.subscriptions
        .createQueryBuilder()
        .update()
        .set({ ...changes, updatedAt: () => 'now()' })
        .where('id = :id', { id })
        .execute();
      if (result.affected === 0) return null;
    }
    return this.findById(id);
  }

  async pause(id: string): Promise<SubscriptionEntity | null> {
    return this.setStatus(id, `status = 'paused'`);
  }

  /** Active again; a subscription disabled for its failing endpoint starts over with a clean record. */
  async resume(id: string): Promise<SubscriptionEntity | null> {
    return this.setStatus(
      id,
      `status = 'active', failing_since = NULL, disabled_reason = NULL, disabled_at = NULL`,
    );
  }

  /** Deletes the subscription and (by foreign key) its deliveries; false when there was none. */
  async delete(id: string): Promise<boolean> {
    const result = await this.subscriptions.delete({ id });
    return (result.affected ?? 0) > 0;
  }

  async activeForIndex(): Promise<IndexedSubscription[]> {
    return this.subscriptions.find({
      where: { status: 'active' },
      select: { id: true, name: true, filter: true },
    });
  }

  /**
   * A cheap fingerprint of the table: a create or an update moves the newest `updated_at`, a delete
   * the count. Instances compare it every few seconds to notice changes made elsewhere.
   */
  async version(): Promise<SubscriptionsVersion> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS count, to_char(max(updated_at), 'YYYY-MM-DD"T"HH24:MI:SS.US') AS "lastUpdatedAt"
         FROM notification.subscriptions`,
    )) as SubscriptionsVersion[];
    return row ?? { count: 0, lastUpdatedAt: null };
  }

  async sealedSecrets(ids: readonly string[]): Promise<Map<string, SealedSigningSecrets>> {
    if (ids.length === 0) return new Map();
    const rows = await preparedQuery<{ id: string; current: string; previous: PreviousSigningSecret[] }>(
      this.dataSource,
      'notification.sealed-signing-secrets',
      `SELECT id, signing_secret_sealed AS current, previous_signing_secrets AS previous
       FROM notification.subscriptions WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, { current: row.current, previous: row.previous }]));
  }

  /**
   * Reads the sealed secrets with the row locked, lets `change` compute the new ones, writes them; in
   * one transaction, so two rotations at once cannot drop a secret. Null when there is no such row.
   */
  async changeSecrets(
    id: string,
    change: (secrets: SealedSigningSecrets) => SealedSigningSecrets,
  ): Promise<SealedSigningSecrets | null> {
    return this.dataSource.transaction(async (manager) => {
      const secrets = await this.lockedSecrets(manager, id);
      if (!secrets) return null;
      const next = change(secrets);
      if (next === secrets) return next;
      await manager.query(
        `UPDATE notification.subscriptions
            SET signing_secret_sealed = $2, previous_signing_secrets = $3::jsonb, updated_at = now()
          WHERE id = $1`,
        [id, next.current, JSON.stringify(next.previous)],
      );
      return next;
    });
  }

  /** Ids of every subscription, oldest first: the reseal pass walks them in pages. */
  async idsAfter(afterId: string | null, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM notification.subscriptions WHERE $1::uuid IS NULL OR id > $1::uuid ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map((row) => row.id);
  }

  private async lockedSecrets(manager: EntityManager, id: string): Promise<SealedSigningSecrets | null> {
    const [row] = (await manager.query(
      `SELECT signing_secret_sealed AS current, previous_signing_secrets AS previous
         FROM notification.subscriptions WHERE id = $1 FOR UPDATE`,
      [id],
    )) as { current: string; previous: PreviousSigningSecret[] }[];
    return row ?? null;
  }

  private async setStatus(id: string, assignments: string): Promise<SubscriptionEntity | null> {
    const [, changed] = (await this.dataSource.query(
      `UPDATE notification.subscriptions SET ${assignments}, updated_at = now() WHERE id = $1`,
      [id],
    )) as [unknown[], number];
    return changed > 0 ? this.findById(id) : null;
  }
}
