import path from 'node:path';

import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Gauge } from 'prom-client';
import { type Logger } from 'pino';

import { EventPublisher } from '@newsflow/kafka';
import {
  LOCAL_REJECTED_DIR,
  LocalFolderStore,
  type ObjectInfo,
  type ObjectStore,
  S3_REJECTED_FOLDER,
  openObjectStore,
} from '@newsflow/object-store';
import { MetricsService, ROOT_LOGGER } from '@newsflow/observability';

import { INGESTION_CONFIG, type IngestionConfig } from '../ingestion.config';
import { IngestLedgerRepository } from '../ledger/ingest-ledger.repository';
import { InboxWatcher } from './inbox-watcher';
import { type IngestOutcome, ObjectIngestor } from './object-ingestor';

/** Objects the reconciliation compares with the ledger at once. */
const RECONCILE_PAGE = 500;

/**
 * Finds objects to ingest and feeds them to the ingestor, a few at a time. Three ways in, all
 * deduplicated by the ledger: file-system events (local folders), bucket event notifications
 * (`notify`), and a periodic reconciliation that lists the bucket and picks up anything missed,
 * including objects whose earlier attempt crashed.
 */
@Injectable()
export class IngestionService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly store: ObjectStore;
  private readonly logger: Logger;
  private readonly ingestor: ObjectIngestor;
  private readonly watcher: InboxWatcher | undefined;
  private readonly queued = new Map<string, { object: ObjectInfo; firstSeenAt: Date }>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private reconciling: Promise<void> | undefined;
  private stopping = false;

  constructor(
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    publisher: EventPublisher,
    private readonly ledger: IngestLedgerRepository,
    private readonly metrics: MetricsService,
  ) {
    this.logger = rootLogger.child({ component: 'ingestion' });
    this.store = openObjectStore(config.inboxUrl);
    this.ingestor = new ObjectIngestor({
      store: this.store,
      ledger,
      publisher,
      maxFileBytes: config.INGEST_MAX_FILE_BYTES,
      maxRecordBytes: config.INGEST_MAX_RECORD_BYTES,
      maxAttempts: config.INGEST_MAX_ATTEMPTS,
      leaseSeconds: config.INGEST_LEASE_SECONDS,
      skipDuplicates: config.INGEST_SKIP_DUPLICATES,
    });
    if (this.store instanceof LocalFolderStore) {
      const root = this.store.root;
      this.watcher = new InboxWatcher({
        inboxDir: root,
        stableMs: config.INBOX_STABLE_MS,
        onFile: (file) => this.notify(path.relative(root, file).split(path.sep).join('/')),
        onError: (error) => this.logger.error({ err: error }, 'inbox watcher error'),
      });
    }
    const queued = this.queued;
    new Gauge({
      name: 'newsflow_ingest_backlog_objects',
      help: 'Objects waiting to be ingested: queued here plus unfinished in the ingest ledger',
      registers: [metrics.registry],
      async collect() {
        this.set(queued.size + (await ledger.backlog().catch(() => 0)));
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.watcher?.start();
    this.reconcileTimer = setInterval(() => this.startReconciliation(), this.config.INBOX_RESCAN_INTERVAL_MS);
    this.startReconciliation();
    this.logger.info({ inbox: this.config.inboxUrl, bucket: this.store.bucket }, 'watching the inbox');
  }

  /** Stops taking new objects and lets the ones in progress finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.reconcileTimer);
    await this.watcher?.close();
    await this.reconciling;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** An object was created or changed (a file-system or bucket event): look it up and queue it. */
  notify(key: string): void {
    // Events name any object of the bucket: only the inbox's own objects are ours, and never the
    // copies this service itself set aside.
    if (this.stopping || !isInboxKey(this.store, key)) return;
    this.store.head(key).then(
      (object) => object && this.enqueue(object),
      (error: unknown) => this.logger.warn({ err: error, key }, 'could not look up an object from an event'),
    );
  }

  /** Lists the bucket and queues whatever the ledger has not finished; also retries due objects. */
  async reconcile(): Promise<void> {
    let page: ObjectInfo[] = [];
    const flush = async () => {
      const finished = await this.ledger.finishedVersions(this.store.bucket, page);
      for (const object of page) if (!finished.has(`${object.key}\u0000${object.etag}`)) this.enqueue(object);
      page = [];
    };
    const settledBefore = Date.now() - this.config.INBOX_STABLE_MS;
    for await (const object of this.store.list()) {
      if (this.stopping) return;
      // A local file modified just now may still be being written; the watcher or the next listing
      // takes it once it has settled. (Objects in a bucket appear only when complete.)
      if (this.watcher && object.lastModified.getTime() > settledBefore) continue;
      page.push(object);
      if (page.length >= RECONCILE_PAGE) await flush();
    }
    await flush();
    for (const due of await this.ledger.due(this.store.bucket, RECONCILE_PAGE)) {
      const current = await this.store.head(due.key);
      // An object that is gone or has changed since is a different version: the listing covers it.
      if (current && current.etag === due.etag) this.enqueue(current);
    }
  }

  private startReconciliation(): void {
    if (this.reconciling || this.stopping) return;
    this.reconciling = this.reconcile()
      .catch((error: unknown) => this.logger.error({ err: error }, 'reconciliation failed'))
      .finally(() => (this.reconciling = undefined));
  }

  private enqueue(object: ObjectInfo): void {
    const id = `${object.key}\u0000${object.etag}`;
    if (this.stopping || this.queued.has(id) || this.inFlight.has(id)) return;
    this.queued.set(id, { object, firstSeenAt: new Date() });
    this.pump();
  }

  private pump(): void {
    for (const [id, { object, firstSeenAt }] of this.queued) {
      if (this.inFlight.size >= this.config.INGEST_CONCURRENCY || this.stopping) return;
      this.queued.delete(id);
      const work = this.ingest(object, firstSeenAt).finally(() => {
        this.inFlight.delete(id);
        this.pump();
      });
      this.inFlight.set(id, work);
    }
  }

  private async ingest(object: ObjectInfo, firstSeenAt: Date): Promise<void> {
    const started = process.hrtime.bigint();
    let outcome: IngestOutcome;
    try {
      outcome = await this.ingestor.ingest(object, firstSeenAt);
    } catch (error) {
      // The ledger itself is unreachable: the object stays unfinished and reconciliation brings it back.
      this.logger.error({ err: error, key: object.key }, 'ingesting an object failed');
      return;
    }
    this.metrics.stageDuration.observe(
      { stage: 'ingestion' },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    this.record(object, outcome);
  }

  private record(object: ObjectInfo, outcome: IngestOutcome): void {
    const context = { bucket: object.bucket, key: object.key, etag: object.etag };
    switch (outcome.kind) {
      case 'skipped':
        return;
      case 'done':
        this.metrics.articles.inc({ stage: 'ingestion', outcome: 'success' }, outcome.published);
        if (outcome.duplicates > 0)
          this.metrics.articles.inc({ stage: 'ingestion', outcome: 'duplicate' }, outcome.duplicates);
        if (outcome.recordsRejected > 0) {
          this.metrics.articles.inc({ stage: 'ingestion', outcome: 'rejected' }, outcome.recordsRejected);
        }
        this.logger.info({ ...context, ...outcome }, 'object ingested');
        return;
      case 'rejected':
        this.metrics.articles.inc({ stage: 'ingestion', outcome: 'rejected' });
        this.logger.warn({ ...context, code: outcome.code, keptAt: outcome.keptAt }, 'object rejected');
        return;
      case 'retry':
        this.metrics.retries.inc({ stage: 'ingestion', topic: 'inbox', code: 'INGEST_ATTEMPT_FAILED' });
        this.logger.warn(
          { ...context, error: outcome.error, attempts: outcome.attempts },
          'ingest attempt failed, will retry',
        );
        return;
    }
  }
}

/** Keys under the inbox's prefix, outside the area where rejected objects are kept. */
function isInboxKey(store: ObjectStore, key: string): boolean {
  if (!key.startsWith(store.prefix)) return false;
  const rest = key.slice(store.prefix.length);
  const rejectedArea = store instanceof LocalFolderStore ? `${LOCAL_REJECTED_DIR}/` : S3_REJECTED_FOLDER;
  return !rest.startsWith(rejectedArea);
}
