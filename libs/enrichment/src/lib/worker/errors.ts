/**
 * Why an article did not come back from the enrichment worker pool. Each error has a stable `code`;
 * this lib knows nothing of Kafka, so the service decides which of them are worth a retry.
 */
export abstract class EnrichmentWorkerError extends Error {
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The article ran past the pool's deadline; its worker was terminated and replaced. */
export class EnrichmentTimeoutError extends EnrichmentWorkerError {
  readonly code = 'ENRICHMENT_TIMEOUT';

  constructor(readonly timeoutMs: number) {
    super(`Enrichment took longer than ${timeoutMs} ms; the worker was terminated`);
  }
}

/** The enricher threw on this article (the worker is fine and keeps serving). */
export class EnrichmentFailedError extends EnrichmentWorkerError {
  readonly code = 'ENRICHMENT_FAILED';

  constructor(
    /** The original error's name, message and stack, as the worker thread saw them. */
    readonly original: { readonly name: string; readonly message: string; readonly stack?: string },
  ) {
    super(`Enrichment failed: ${original.name}: ${original.message}`);
  }
}

/** The worker running the article died (uncaught error, out of memory under its resource limits). */
export class EnrichmentWorkerCrashedError extends EnrichmentWorkerError {
  readonly code = 'ENRICHMENT_WORKER_CRASHED';

  constructor(
    readonly exitCode: number,
    /** Node's code for the worker's last error, e.g. `ERR_WORKER_OUT_OF_MEMORY`, if it had one. */
    readonly reason: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `The enrichment worker exited with code ${exitCode}${reason ? ` (${reason})` : ''} while analysing the article`,
      options,
    );
  }
}

/** No worker could be started: from `start()`, and for queued articles when none is left running. */
export class EnrichmentWorkerStartError extends EnrichmentWorkerError {
  readonly code = 'ENRICHMENT_WORKER_START_FAILED';
}

/** The pool was closed before the article was done. */
export class EnrichmentPoolClosedError extends EnrichmentWorkerError {
  readonly code = 'ENRICHMENT_POOL_CLOSED';

  constructor() {
    super('The enrichment worker pool is closed');
  }
}
