import { type Worker } from 'node:worker_threads';

import { type ArticleAnalysis, type EnrichableArticle } from '../enrich-article';
import {
  EnrichmentFailedError,
  EnrichmentPoolClosedError,
  EnrichmentTimeoutError,
  EnrichmentWorkerCrashedError,
  EnrichmentWorkerStartError,
} from './errors';
import { launchEnrichmentWorker } from './launch-worker';
import { type AnalyseRequest, serializeError, type WorkerMessage } from './protocol';

export interface EnrichmentWorkerPoolOptions {
  /** Worker threads. Each holds its own gazetteer and language model (about 150 MB). */
  readonly size: number;
  /** Deadline for one article, from hand-over to a worker to its result; past it the worker is terminated. */
  readonly timeoutMs: number;
  /** V8 old-generation limit per worker: an article that needs more kills its worker, not the process. */
  readonly maxOldGenerationSizeMb?: number;
  /** How long a worker may take to load its data and say ready. */
  readonly startTimeoutMs?: number;
}

export interface AnalyseInWorkerOptions {
  /** Publication date (YYYY-MM-DD) that relative dates resolve against; defaults to the article's. */
  readonly publishedAt?: string;
  /** Time of the enrichment (`enrichedAt`); defaults to the worker's clock when it starts the article. */
  readonly now?: Date;
}

/** For health checks and metrics. */
export interface EnrichmentWorkerPoolStatus {
  readonly size: number;
  /** Workers that have loaded their data: idle or busy. Below `size` while replacements start. */
  readonly readyWorkers: number;
  readonly busyWorkers: number;
  readonly startingWorkers: number;
  readonly queuedArticles: number;
  /** Workers replaced since start: after a timeout, a crash or a failed start. */
  readonly replacedWorkers: number;
  readonly closed: boolean;
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** A replacement that fails to start is tried again after 0.1 s, 0.2 s, … up to 5 s. */
const RESPAWN_BASE_DELAY_MS = 100;
const RESPAWN_MAX_DELAY_MS = 5_000;

interface Job {
  readonly request: AnalyseRequest;
  readonly resolve: (analysis: ArticleAnalysis) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  state: 'starting' | 'idle' | 'busy';
  job?: Job;
  /** The start deadline while starting, the article's deadline while busy. */
  timer?: NodeJS.Timeout;
  lastError?: Error;
}

/**
 * Runs `analyseArticle` on worker threads, so a slow or stuck article cannot block the event loop of
 * the Kafka consumer (heartbeats, other partitions) and can be stopped: the enricher is synchronous, so
 * the only way to interrupt it is to terminate its thread. Hand-written on node:worker_threads rather
 * than piscina or tinypool to keep that terminate-and-replace behaviour, and the errors, in our hands.
 *
 * Articles are served first come, first served by idle workers. A timed-out article's worker is
 * terminated and replaced; a worker that dies is replaced; an enricher error leaves the worker serving.
 */
export class EnrichmentWorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  /** Terminations still under way, awaited by close() so no thread outlives the pool. */
  private readonly exiting = new Set<Promise<number>>();
  private readonly respawnTimers = new Set<NodeJS.Timeout>();
  private readonly startTimeoutMs: number;
  private nextId = 1;
  private replacedWorkers = 0;
  private failedStartsInARow = 0;
  private startup?: { resolve: () => void; reject: (error: Error) => void };
  private closing?: Promise<void>;

  private constructor(private readonly options: EnrichmentWorkerPoolOptions) {
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  }

  /** Starts `size` workers and resolves once each has loaded its data (or rejects, with none left running). */
  static async start(options: EnrichmentWorkerPoolOptions): Promise<EnrichmentWorkerPool> {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`Enrichment worker pool size must be a positive integer, not ${options.size}`);
    }
    for (const [name, ms] of [
      ['timeoutMs', options.timeoutMs],
      ['startTimeoutMs', options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS],
    ] as const) {
      // setTimeout fires at once for delays it cannot hold, which would time every article out.
      if (!(ms > 0 && ms <= MAX_TIMER_MS)) {
        throw new RangeError(
          `Enrichment worker pool ${name} must be between 1 and ${MAX_TIMER_MS} ms, not ${ms}`,
        );
      }
    }
    const pool = new EnrichmentWorkerPool(options);
    try {
      await new Promise<void>((resolve, reject) => {
        pool.startup = { resolve, reject };
        for (let i = 0; i < options.size; i++) pool.spawn();
      });
    } catch (error) {
      await pool.close();
      throw error;
    } finally {
      pool.startup = undefined;
    }
    return pool;
  }

  /** Analyses the article on a worker. Rejects with one of the `EnrichmentWorkerError`s. */
  analyse(article: EnrichableArticle, options: AnalyseInWorkerOptions = {}): Promise<ArticleAnalysis> {
    if (this.closing) return Promise.reject(new EnrichmentPoolClosedError());
    const request: AnalyseRequest = {
      type: 'analyse',
      id: this.nextId++,
      // Only the fields the enricher reads: a whole ingested event would be cloned for nothing.
      article: {
        lede: article.lede,
        text: article.text,
        wordCount: article.wordCount,
        publishedAt: article.publishedAt,
      },
      publishedAt: options.publishedAt,
      nowMs: options.now?.getTime(),
    };
    return new Promise<ArticleAnalysis>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  status(): EnrichmentWorkerPoolStatus {
    let ready = 0;
    let busy = 0;
    for (const slot of this.slots) {
      if (slot.state !== 'starting') ready++;
      if (slot.state === 'busy') busy++;
    }
    return {
      size: this.options.size,
      readyWorkers: ready,
      busyWorkers: busy,
      startingWorkers: this.slots.size - ready,
      queuedArticles: this.queue.length,
      replacedWorkers: this.replacedWorkers,
      closed: this.closing !== undefined,
    };
  }

  /**
   * Rejects queued and running articles with `EnrichmentPoolClosedError` and terminates every worker.
   * Stop feeding the pool first (e.g. stop the consumer) to let running articles finish.
   */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    for (const timer of this.respawnTimers) clearTimeout(timer);
    this.respawnTimers.clear();
    this.startup?.reject(new EnrichmentPoolClosedError());
    for (const job of this.queue.splice(0)) job.reject(new EnrichmentPoolClosedError());
    for (const slot of [...this.slots]) {
      slot.job?.reject(new EnrichmentPoolClosedError());
      this.retire(slot);
    }
    await Promise.all(this.exiting);
  }

  private spawn(): void {
    let worker: Worker;
    try {
      worker = launchEnrichmentWorker({ maxOldGenerationSizeMb: this.options.maxOldGenerationSizeMb });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.startFailed(
        new EnrichmentWorkerStartError(`Cannot start an enrichment worker: ${message}`, { cause: error }),
      );
      return;
    }
    const slot: Slot = { worker, state: 'starting' };
    slot.timer = setTimeout(() => {
      this.retire(slot);
      this.startFailed(
        new EnrichmentWorkerStartError(`An enrichment worker did not start within ${this.startTimeoutMs} ms`),
      );
    }, this.startTimeoutMs);
    this.slots.add(slot);
    worker.on('message', (message: WorkerMessage) => this.onMessage(slot, message));
    worker.on('messageerror', (error: Error) => this.finish(slot, { error }));
    worker.on('error', (error: Error) => (slot.lastError = error));
    worker.on('exit', (exitCode: number) => this.onExit(slot, exitCode));
  }

  private onMessage(slot: Slot, message: WorkerMessage): void {
    // A worker terminated at its deadline may still have answered; its article is settled already.
    if (!this.slots.has(slot)) return;
    switch (message.type) {
      case 'ready':
        clearTimeout(slot.timer);
        slot.state = 'idle';
        this.failedStartsInARow = 0;
        if (this.startup && this.status().readyWorkers === this.options.size) this.startup.resolve();
        this.dispatch();
        return;
      case 'analysed':
        if (slot.job?.request.id === message.id) this.finish(slot, { analysis: message.analysis });
        return;
      case 'failed':
        if (slot.job?.request.id === message.id) {
          this.finish(slot, { error: new EnrichmentFailedError(message.error) });
        }
        return;
    }
  }

  /** Settles the slot's article and frees the worker for the next one. */
  private finish(slot: Slot, outcome: { analysis: ArticleAnalysis } | { error: Error }): void {
    const job = slot.job;
    if (!job) return;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.state = 'idle';
    if ('analysis' in outcome) job.resolve(outcome.analysis);
    else job.reject(outcome.error);
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.state !== 'idle') continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.state = 'busy';
      slot.job = job;
      slot.timer = setTimeout(() => this.onDeadline(slot, job), this.options.timeoutMs);
      try {
        slot.worker.postMessage(job.request);
      } catch (error) {
        // Not plain data (a caller passed something structured clone refuses): this article's fault.
        this.finish(slot, { error: new EnrichmentFailedError(serializeError(error)) });
      }
    }
  }

  private onDeadline(slot: Slot, job: Job): void {
    if (slot.job !== job) return;
    this.retire(slot);
    job.reject(new EnrichmentTimeoutError(this.options.timeoutMs));
    this.replace();
  }

  private onExit(slot: Slot, exitCode: number): void {
    // Workers the pool terminated itself were settled when it did so.
    if (!this.slots.delete(slot)) return;
    clearTimeout(slot.timer);
    const reason = (slot.lastError as NodeJS.ErrnoException | undefined)?.code;
    if (slot.state === 'starting') {
      this.startFailed(
        new EnrichmentWorkerStartError(
          `An enrichment worker exited with code ${exitCode}${reason ? ` (${reason})` : ''} while starting`,
          { cause: slot.lastError },
        ),
      );
      return;
    }
    slot.job?.reject(new EnrichmentWorkerCrashedError(exitCode, reason, { cause: slot.lastError }));
    this.replace();
  }

  /** Stops a worker without waiting: the pool forgets it now, close() waits for its exit. */
  private retire(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.job = undefined;
    this.slots.delete(slot);
    const exited = slot.worker.terminate().finally(() => this.exiting.delete(exited));
    this.exiting.add(exited);
  }

  private replace(): void {
    if (this.closing) return;
    this.replacedWorkers++;
    this.spawn();
    this.dispatch();
  }

  private startFailed(error: EnrichmentWorkerStartError): void {
    if (this.startup) {
      this.startup.reject(error);
      return;
    }
    if (this.closing) return;
    // Queued articles would otherwise wait for a worker that may never come: fail them now.
    if (this.status().readyWorkers === 0) {
      for (const job of this.queue.splice(0)) job.reject(error);
    }
    const delay = Math.min(RESPAWN_MAX_DELAY_MS, RESPAWN_BASE_DELAY_MS * 2 ** this.failedStartsInARow);
    this.failedStartsInARow++;
    const timer = setTimeout(() => {
      this.respawnTimers.delete(timer);
      this.replace();
    }, delay);
    this.respawnTimers.add(timer);
  }
}
