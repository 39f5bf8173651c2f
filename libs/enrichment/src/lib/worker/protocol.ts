import { type ArticleAnalysis, type EnrichableArticle } from '../enrich-article';

/**
 * Messages between the pool and its workers. Structured clone copies them across the thread
 * boundary, so they hold plain data only: strings, numbers and plain objects (no Dates, no classes).
 */
export interface AnalyseRequest {
  readonly type: 'analyse';
  readonly id: number;
  readonly article: Pick<EnrichableArticle, 'lede' | 'text' | 'wordCount' | 'publishedAt'>;
  readonly publishedAt?: string;
  /** Epoch milliseconds of `now`; absent: the worker's clock when it starts on the article. */
  readonly nowMs?: number;
}

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
}

export type WorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'analysed'; readonly id: number; readonly analysis: ArticleAnalysis }
  | { readonly type: 'failed'; readonly id: number; readonly error: SerializedError };

/** Marks a thread started by the pool: the entry module serves only there, never when merely imported. */
export const ENRICHMENT_WORKER_ROLE = 'newsflow-enrichment-worker';

export interface EnrichmentWorkerData {
  readonly role: typeof ENRICHMENT_WORKER_ROLE;
}

export function isEnrichmentWorkerData(data: unknown): data is EnrichmentWorkerData {
  return (
    typeof data === 'object' && data !== null && (data as { role?: unknown }).role === ENRICHMENT_WORKER_ROLE
  );
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack };
  return { name: 'Error', message: String(error) };
}
