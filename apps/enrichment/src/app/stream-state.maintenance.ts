import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { type Logger } from 'pino';

import { ROOT_LOGGER } from '@newsflow/observability';

import { ENRICHMENT_CONFIG, type EnrichmentConfig } from './enrichment.config';
import { type FlushOptions, KeyphraseFrequencyStore } from './keyphrases/keyphrase-frequency.store';
import { NearDuplicateIndex } from './stories/near-duplicate.index';

/** How often, about, the frequencies are reloaded (after a flush) to bring in other instances' counts. */
const RELOAD_INTERVAL_MS = 60_000;
const PURGE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 86_400_000;

/**
 * Keeps the stream-level state in Postgres current: loads the keyphrase frequencies before the first
 * article, adds this instance's counts every ENRICH_KEYPHRASE_FLUSH_MS (one-off phrases held back for a
 * second sighting) and all of them once more on shutdown, and forgets fingerprints past their retention.
 */
@Injectable()
export class StreamStateMaintenance
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private readonly timers: NodeJS.Timeout[] = [];
  private flushes = 0;
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(ENRICHMENT_CONFIG) private readonly config: EnrichmentConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    private readonly keyphrases: KeyphraseFrequencyStore,
    private readonly stories: NearDuplicateIndex,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.keyphrases.reload();
    this.logger.info(
      { documents: this.keyphrases.frequencies.documents, phrases: this.keyphrases.frequencies.counts.size },
      'keyphrase frequencies loaded',
    );
  }

  onApplicationBootstrap(): void {
    this.every(this.config.ENRICH_KEYPHRASE_FLUSH_MS, () => this.flush({ holdOneOffs: true }));
    this.every(PURGE_INTERVAL_MS, () => this.purge());
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.running;
    await this.flush({ holdOneOffs: false });
  }

  /** One task at a time, so a slow flush never overlaps the next. */
  private every(intervalMs: number, task: () => Promise<void>): void {
    const timer = setInterval(() => {
      this.running = this.running.then(task);
    }, intervalMs);
    timer.unref();
    this.timers.push(timer);
  }

  private async flush(options: FlushOptions): Promise<void> {
    try {
      await this.keyphrases.flush(options);
      const flushesPerReload = Math.max(
        1,
        Math.round(RELOAD_INTERVAL_MS / this.config.ENRICH_KEYPHRASE_FLUSH_MS),
      );
      if (++this.flushes % flushesPerReload === 0) await this.keyphrases.reload();
    } catch (error) {
      // The counts stay pending and go with the next flush.
      this.logger.warn({ err: error }, 'could not save keyphrase frequencies; retrying with the next flush');
    }
  }

  private async purge(): Promise<void> {
    try {
      const before = new Date(Date.now() - this.config.ENRICH_FINGERPRINT_RETENTION_DAYS * DAY_MS);
      const purged = await this.stories.purgeSeenBefore(before);
      if (purged > 0) this.logger.info({ purged, before }, 'forgot fingerprints past their retention');
    } catch (error) {
      this.logger.warn({ err: error }, 'could not purge old fingerprints; trying again in an hour');
    }
  }
}
