import { type PublishRequest } from '@newsflow/kafka';

import { type ReplayItem, type ReplayTopic } from './stored-article';
import { type ReplaySelection } from './stored-article-reader';

/**
 * Kafka refuses a record batch larger than the broker's `message.max.bytes` (1 MiB by default), and a
 * request carries one batch per partition: keeping the whole request under 768 KiB keeps every batch
 * under the default whatever the keys, with room for headers and framing.
 */
export const MAX_REQUEST_BYTES = 768 * 1024;

export interface ReplayPageSource {
  pages<T extends ReplayTopic>(selection: ReplaySelection<T>): AsyncGenerator<ReplayItem<T>[]>;
}

/** EventPublisher's batch publish: one request, resolved once every in-sync replica acknowledged it. */
export interface ReplayPublisher {
  publishMany<T extends ReplayTopic>(
    topic: T,
    requests: readonly Omit<PublishRequest<T>, 'topic'>[],
  ): Promise<unknown>;
}

export interface ReplayProgress {
  advance(count: number): void;
  note(line: string): void;
}

export interface ReplayRun<T extends ReplayTopic> {
  reader: ReplayPageSource;
  publisher: ReplayPublisher;
  selection: ReplaySelection<T>;
  progress: ReplayProgress;
  /** Asked before each request: true ends the replay there (Ctrl-C). */
  stopRequested?: () => boolean;
  maxRequestBytes?: number;
}

export interface ReplayResult {
  published: number;
  /** Articles that failed their topic's schema: reported, not published. */
  skipped: number;
  /** Stopped by stopRequested before the end. */
  interrupted: boolean;
}

type Request<T extends ReplayTopic> = Omit<PublishRequest<T>, 'topic'>;

/** Splits a page into requests of at most `maxBytes` of payload; an oversized payload goes alone. */
export function requestsBySize<T extends ReplayTopic>(
  requests: readonly Request<T>[],
  maxBytes: number,
): Request<T>[][] {
  const chunks: Request<T>[][] = [];
  let current: Request<T>[] = [];
  let bytes = 0;
  for (const request of requests) {
    const size = Buffer.byteLength(JSON.stringify(request.payload)) + request.key.length;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(request);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Publishes the selected articles, keyed by article id. The next page is read from Postgres while the
 * current one is being published. Requests go one at a time, each acknowledged before the next, so an
 * interrupted or failed replay has published a prefix of the selection and running it again is enough.
 */
export async function runReplay<T extends ReplayTopic>(run: ReplayRun<T>): Promise<ReplayResult> {
  const result: ReplayResult = { published: 0, skipped: 0, interrupted: false };
  const maxBytes = run.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const pages = run.reader.pages(run.selection);
  // Settled into a value at once: a read that fails while a page is being published must not count as
  // an unhandled rejection before the loop comes back to it.
  const readNext = () =>
    pages.next().then(
      (page) => ({ page }),
      (error: unknown) => ({ error }),
    );
  let next = readNext();
  try {
    for (;;) {
      const read = await next;
      if ('error' in read) throw read.error;
      if (read.page.done) break;
      next = readNext();
      const requests: Request<T>[] = [];
      for (const item of read.page.value) {
        if (item.ok) {
          requests.push({ key: item.id, payload: item.payload });
        } else {
          result.skipped += 1;
          run.progress.note(`skipped article ${item.id}: ${item.problems}`);
          run.progress.advance(1);
        }
      }
      for (const chunk of requestsBySize(requests, maxBytes)) {
        if (run.stopRequested?.()) {
          result.interrupted = true;
          return result;
        }
        await run.publisher.publishMany(run.selection.topic, chunk);
        result.published += chunk.length;
        run.progress.advance(chunk.length);
      }
    }
    return result;
  } finally {
    // Let a page read still in flight finish, then close the generator so that it reads nothing more.
    await next;
    await pages.return(undefined);
  }
}
