import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Logger } from 'pino';
import { Gauge } from 'prom-client';

import { MetricsService, ROOT_LOGGER } from '@newsflow/observability';
import {
  type MatchableArticle,
  SubscriptionIndex,
  type SubscriptionMatch,
} from '@newsflow/subscription-matching';

import { NOTIFICATION_CONFIG } from '../notification.config';
import { type IndexedSubscription, SubscriptionRepository } from '../subscriptions/subscription.repository';
import { type SubscriptionsEnv } from '../subscriptions/subscriptions.config';

/**
 * The in-memory index of the active subscriptions that every article is matched against. Rebuilt from
 * Postgres: at once on this instance when its API changes a subscription, and within
 * SUBSCRIPTION_INDEX_REFRESH_MS when another instance did (each instance polls a fingerprint of the
 * table, `count(*)` and `max(updated_at)`, rather than LISTEN/NOTIFY: no dedicated connection to keep
 * alive and re-listen, and a missed notification cannot leave an index stale for good).
 */
@Injectable()
export class SubscriptionMatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private index = SubscriptionIndex.build<IndexedSubscription>([]);
  private version: string | undefined;
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(NOTIFICATION_CONFIG)
    private readonly config: Pick<SubscriptionsEnv, 'SUBSCRIPTION_INDEX_REFRESH_MS'>,
    private readonly subscriptions: SubscriptionRepository,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    metrics: MetricsService,
  ) {
    this.logger = rootLogger.child({ component: 'subscription-matcher' });
    const indexed: Gauge<'kind'> = new Gauge({
      name: 'newsflow_subscriptions_indexed',
      help: 'Active subscriptions in the matching index: found by index key, or tested against every article',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
      collect: () => {
        const stats = this.index.stats();
        indexed.set({ kind: 'keyed' }, stats.subscriptions - stats.alwaysChecked);
        indexed.set({ kind: 'always_checked' }, stats.alwaysChecked);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refreshIfChanged(), this.config.SUBSCRIPTION_INDEX_REFRESH_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** The active subscriptions the article matches, as of the last rebuild. */
  match(article: MatchableArticle): SubscriptionMatch<IndexedSubscription>[] {
    return this.index.match(article);
  }

  /**
   * Rebuilds the index from the database; resolves once a rebuild that started after the call is done
   * (calls during a rebuild share one more rebuild after it).
   */
  async refresh(): Promise<void> {
    if (this.refreshing !== undefined) {
      this.refreshAgain = true;
      while (this.refreshing !== undefined) await this.refreshing;
      return;
    }
    this.refreshing = this.rebuildUntilCurrent();
    try {
      await this.refreshing;
    } finally {
      this.refreshing = undefined;
    }
  }

  /**
   * refresh() after this instance changed a subscription. The change is committed already: when the
   * rebuild fails, the poll retries it (the fingerprint still differs), so the caller is not failed.
   */
  async refreshAfterChange(): Promise<void> {
    try {
      await this.refresh();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not rebuild the subscription index; the next poll retries');
    }
  }

  private async rebuildUntilCurrent(): Promise<void> {
    do {
      this.refreshAgain = false;
      await this.rebuild();
    } while (this.refreshAgain);
  }

  private async rebuild(): Promise<void> {
    // The fingerprint is read first: a change made while the rows load shows as a new fingerprint next time.
    const version = JSON.stringify(await this.subscriptions.version());
    const started = performance.now();
    const index = SubscriptionIndex.build(await this.subscriptions.activeForIndex());
    this.index = index;
    this.version = version;
    const stats = index.stats();
    for (const skipped of stats.skipped) {
      this.logger.error(
        skipped,
        'a stored subscription filter does not compile; the subscription matches nothing',
      );
    }
    this.logger.debug(
      {
        subscriptions: stats.subscriptions,
        alwaysChecked: stats.alwaysChecked,
        ms: Math.round(performance.now() - started),
      },
      'subscription index rebuilt',
    );
  }

  private async refreshIfChanged(): Promise<void> {
    try {
      if (this.refreshing !== undefined) return;
      const version = JSON.stringify(await this.subscriptions.version());
      if (version !== this.version) await this.refresh();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not check for subscription changes; trying again');
    }
  }
}
