import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type Logger } from 'pino';

import { EventPublisher, backoffMs, classifyError } from '@newsflow/kafka';
import { MetricsService, ROOT_LOGGER } from '@newsflow/observability';

import { INGESTION_CONFIG, type IngestionConfig } from '../ingestion.config';
import { FileIngestor } from './file-ingestor';
import { inboxKey } from './inbox-paths';
import { InboxWatcher } from './inbox-watcher';

/** Publishing a file is retried this many times (broker trouble) before waiting for the next rescan. */
const PUBLISH_ATTEMPTS = 5;
const RETRY_POLICY = { maxAttempts: PUBLISH_ATTEMPTS, initialBackoffMs: 500, maxBackoffMs: 10_000 };

/**
 * Watches the inbox and ingests each complete file once per version (path, size and mtime): a file
 * that failed to publish stays in place and is picked up again by the next rescan.
 */
@Injectable()
export class InboxService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private readonly inboxDir: string;
  private readonly watcher: InboxWatcher;
  private readonly ingestor: FileIngestor;
  /** Versions already handled in this process, so change events and rescans do not repeat work. */
  private readonly done = new Set<string>();
  private readonly queued = new Map<string, Date>();
  private readonly inFlight = new Set<Promise<void>>();
  private rescanTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    publisher: EventPublisher,
    private readonly metrics: MetricsService,
  ) {
    this.logger = rootLogger.child({ component: 'inbox' });
    this.inboxDir = path.resolve(config.INBOX_DIR);
    this.ingestor = new FileIngestor({
      inboxDir: this.inboxDir,
      maxFileBytes: config.INGEST_MAX_FILE_BYTES,
      publisher,
    });
    this.watcher = new InboxWatcher({
      inboxDir: this.inboxDir,
      stableMs: config.INBOX_STABLE_MS,
      onFile: (file) => this.enqueue(file),
      onError: (error) => this.logger.error({ err: error }, 'inbox watcher error'),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await mkdir(this.inboxDir, { recursive: true });
    await this.watcher.start();
    this.rescanTimer = setInterval(() => void this.rescan(), this.config.INBOX_RESCAN_INTERVAL_MS);
    this.logger.info({ inboxDir: this.inboxDir }, 'watching the inbox');
  }

  /** Stops taking new files and lets the ones in progress finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.rescanTimer);
    await this.watcher.close();
    await Promise.allSettled([...this.inFlight]);
  }

  private enqueue(file: string): void {
    if (this.stopping || this.queued.has(file)) return;
    this.queued.set(file, new Date());
    this.pump();
  }

  private pump(): void {
    for (const [file, firstSeenAt] of this.queued) {
      if (this.inFlight.size >= this.config.INGEST_CONCURRENCY || this.stopping) return;
      this.queued.delete(file);
      const work = this.process(file, firstSeenAt).finally(() => {
        this.inFlight.delete(work);
        this.pump();
      });
      this.inFlight.add(work);
    }
  }

  private async process(file: string, firstSeenAt: Date): Promise<void> {
    const version = await this.versionOf(file);
    if (version === undefined || this.done.has(version)) return;
    const key = inboxKey(this.inboxDir, file);
    for (let attempt = 1; ; attempt++) {
      const started = process.hrtime.bigint();
      try {
        const outcome = await this.ingestor.ingest(file, firstSeenAt);
        this.done.add(version);
        this.metrics.stageDuration.observe(
          { stage: 'ingestion' },
          Number(process.hrtime.bigint() - started) / 1e9,
        );
        if (outcome.kind === 'published') {
          this.metrics.articles.inc({ stage: 'ingestion', outcome: 'success' });
          this.logger.info({ key, articleId: outcome.articleId }, 'article ingested');
        } else {
          this.metrics.articles.inc({ stage: 'ingestion', outcome: 'rejected' });
          this.logger.warn({ key, code: outcome.code, keptAt: outcome.keptAt }, 'file rejected');
        }
        return;
      } catch (error) {
        const classified = classifyError(error);
        if (attempt >= PUBLISH_ATTEMPTS || this.stopping) {
          this.logger.error(
            { key, err: error, attempts: attempt },
            'file not ingested; it stays in the inbox for the next rescan',
          );
          return;
        }
        this.metrics.retries.inc({ stage: 'ingestion', topic: 'inbox', code: classified.code });
        this.logger.warn({ key, code: classified.code, attempt }, 'ingesting a file failed, will retry');
        await sleep(backoffMs(RETRY_POLICY, attempt));
      }
    }
  }

  private async rescan(): Promise<void> {
    try {
      for (const file of await this.watcher.listFiles()) this.enqueue(file);
    } catch (error) {
      this.logger.error({ err: error }, 'inbox rescan failed');
    }
  }

  /** A file's identity for "already handled": a changed file (new size or mtime) is read again. */
  private async versionOf(file: string): Promise<string | undefined> {
    try {
      const info = await stat(file);
      return `${file}\u0000${info.size}\u0000${info.mtimeMs}`;
    } catch {
      return undefined; // gone (moved away or deleted by its owner) before its turn
    }
  }
}
