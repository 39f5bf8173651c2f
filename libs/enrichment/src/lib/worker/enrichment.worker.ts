import { isMainThread, type MessagePort, parentPort, workerData } from 'node:worker_threads';

import { analyseArticle } from '../enrich-article';
import { preloadGazetteer } from '../entities/gazetteer';
import { type AnalyseRequest, isEnrichmentWorkerData, serializeError, type WorkerMessage } from './protocol';

/**
 * This file's own path at run time: `.js` in the built service, `.ts` under jest and ts-node. The pool
 * imports it to start workers from, so the path is right wherever the code was compiled to, and the
 * import is also what makes `tsc` emit this file into dist (nothing else would reference it).
 */
export const ENRICHMENT_WORKER_ENTRY = __filename;

function answer(request: AnalyseRequest): WorkerMessage {
  try {
    const analysis = analyseArticle(request.article, {
      publishedAt: request.publishedAt,
      now: request.nowMs === undefined ? new Date() : new Date(request.nowMs),
    });
    return { type: 'analysed', id: request.id, analysis };
  } catch (error) {
    return { type: 'failed', id: request.id, error: serializeError(error) };
  }
}

function serve(port: MessagePort): void {
  // Once per worker, before saying ready: the first article should not pay for loading the cities.
  preloadGazetteer();
  port.on('message', (request: AnalyseRequest) => {
    const message = answer(request);
    try {
      port.postMessage(message);
    } catch (error) {
      // A result that cannot be cloned is the enricher's fault, not the worker's: report it as a failure.
      port.postMessage({
        type: 'failed',
        id: request.id,
        error: serializeError(error),
      } satisfies WorkerMessage);
    }
  });
  port.postMessage({ type: 'ready' } satisfies WorkerMessage);
}

if (!isMainThread && parentPort && isEnrichmentWorkerData(workerData)) serve(parentPort);
