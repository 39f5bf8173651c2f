import { Readable } from 'node:stream';

import { type EventPublisher } from '@newsflow/kafka';
import { InvalidKeyError, type ObjectInfo, type ObjectStore } from '@newsflow/object-store';

import { ndjsonRecord } from '../../testing/articles';
import {
  type CompletedObject,
  type IngestLedgerRepository,
  type PublishedContent,
} from '../ledger/ingest-ledger.repository';
import { ObjectIngestor } from './object-ingestor';

const MAX_ATTEMPTS = 3;

function object(key: string): ObjectInfo {
  return { bucket: 'news', key, etag: 'etag-1', sizeBytes: 42, lastModified: new Date(0) };
}

/** The ledger as the ingestor sees it, recording what it was told; `attempts` is the claim's count. */
function fakeLedger(attempts: number) {
  const calls = {
    complete: [] as CompletedObject[],
    completedWith: [] as (readonly PublishedContent[])[],
    remembered: [] as (readonly PublishedContent[])[],
    release: [] as { error: string; retryInSeconds: number }[],
  };
  const ledger = {
    claim: jest.fn(async (version: ObjectInfo) => ({ ...version, attempts, firstSeenAt: new Date(0) })),
    complete: jest.fn(
      async (_version: ObjectInfo, result: CompletedObject, published: readonly PublishedContent[] = []) => {
        calls.complete.push(result);
        calls.completedWith.push(published);
      },
    ),
    release: jest.fn(async (_version: ObjectInfo, input: { error: string; retryInSeconds: number }) => {
      calls.release.push(input);
    }),
    publishedContent: jest.fn(async () => new Set<string>()),
    rememberPublished: jest.fn(async (entries: readonly PublishedContent[]) => {
      calls.remembered.push(entries);
    }),
  };
  return { ledger: ledger as unknown as IngestLedgerRepository, calls };
}

function fakePublisher() {
  const publisher = {
    publish: jest.fn(async () => ({})),
    publishMany: jest.fn(async () => []),
  };
  return publisher as unknown as EventPublisher & typeof publisher;
}

function fakeStore(overrides: Partial<ObjectStore>): ObjectStore {
  return {
    bucket: 'news',
    prefix: 'incoming/',
    list: () => Readable.from([]),
    head: async () => null,
    read: async () => Readable.from([Buffer.from('date 2024-05-01 Lede\n\nBody.\n')]),
    keepRejected: async (key: string) => `incoming/rejected/${key.slice('incoming/'.length)}`,
    ...overrides,
  };
}

function ingestor(store: ObjectStore, ledger: IngestLedgerRepository, publisher: EventPublisher) {
  return new ObjectIngestor({
    store,
    ledger,
    publisher,
    maxFileBytes: 1024 * 1024,
    maxRecordBytes: 1024 * 1024,
    maxAttempts: MAX_ATTEMPTS,
    leaseSeconds: 300,
    skipDuplicates: true,
  });
}

describe('ObjectIngestor attempts', () => {
  it('releases a failed attempt with exponential backoff while attempts remain', async () => {
    const { ledger, calls } = fakeLedger(2);
    const store = fakeStore({
      read: async () => {
        throw new Error('connection reset');
      },
    });
    const outcome = await ingestor(store, ledger, fakePublisher()).ingest(
      object('incoming/a.txt'),
      new Date(),
    );
    expect(outcome).toEqual({ kind: 'retry', error: 'connection reset', attempts: 2 });
    expect(calls.release).toEqual([{ error: 'connection reset', retryInSeconds: 10 }]);
    expect(calls.complete).toEqual([]);
  });

  it('rejects the object as INGEST_FAILED on the last allowed attempt, with the last error', async () => {
    const { ledger, calls } = fakeLedger(MAX_ATTEMPTS);
    const publisher = fakePublisher();
    const store = fakeStore({
      read: async () => {
        throw new Error('connection reset');
      },
    });
    const outcome = await ingestor(store, ledger, publisher).ingest(object('incoming/a.txt'), new Date());
    expect(outcome).toEqual({ kind: 'rejected', code: 'INGEST_FAILED', keptAt: 'incoming/rejected/a.txt' });
    expect(calls.complete).toEqual([
      expect.objectContaining({
        status: 'rejected',
        rejectionCode: 'INGEST_FAILED',
        lastError: `gave up after ${MAX_ATTEMPTS} attempts; last error: connection reset`,
      }),
    ]);
    expect(publisher.publish).toHaveBeenCalledTimes(1);
  });

  // Setting the object aside can fail too (store down, or the key refused): the ledger still closes it.
  it('still finishes the object after INGEST_MAX_ATTEMPTS when keeping it aside fails too', async () => {
    const key = 'incoming/rejected/report.docx';
    const { ledger, calls } = fakeLedger(MAX_ATTEMPTS);
    const store = fakeStore({
      keepRejected: async () => {
        throw new InvalidKeyError(key, 'it is already in incoming/rejected/');
      },
    });
    // Whatever it reports, the ledger row must leave 'processing' for good: completed, not left to its lease.
    await ingestor(store, ledger, fakePublisher())
      .ingest(object(key), new Date())
      .catch(() => undefined);
    expect(calls.complete).toEqual([expect.objectContaining({ status: 'rejected' })]);
  });
});

describe('ObjectIngestor ledger writes', () => {
  it('claims a text file in one call and remembers its content in the call that completes it', async () => {
    const { ledger, calls } = fakeLedger(1);
    const publisher = fakePublisher();
    const seen = new Date('2024-05-01T10:00:00Z');
    const outcome = await ingestor(fakeStore({}), ledger, publisher).ingest(object('incoming/a.txt'), seen);
    expect(outcome).toEqual({ kind: 'done', published: 1, duplicates: 0, recordsRejected: 0 });
    expect(ledger.claim).toHaveBeenCalledTimes(1);
    expect(ledger.claim).toHaveBeenCalledWith(
      expect.objectContaining({ key: 'incoming/a.txt', etag: 'etag-1', sizeBytes: 42, firstSeenAt: seen }),
      300,
    );
    expect(calls.remembered).toEqual([]);
    expect(calls.completedWith).toEqual([
      [expect.objectContaining({ bucket: 'news', key: 'incoming/a.txt', contentHash: expect.any(String) })],
    ]);
  });

  it('remembers full batches of a bulk file as they are published, and the last one on completion', async () => {
    const lines = Array.from({ length: 501 }, (_, index) => ndjsonRecord(`bulk ${index}`).line);
    const { ledger, calls } = fakeLedger(1);
    const store = fakeStore({ read: async () => Readable.from([Buffer.from(`${lines.join('\n')}\n`)]) });
    const outcome = await ingestor(store, ledger, fakePublisher()).ingest(
      object('incoming/bulk.ndjson'),
      new Date(),
    );
    expect(outcome).toEqual({ kind: 'done', published: 501, duplicates: 0, recordsRejected: 0 });
    expect(calls.remembered.map((batch) => batch.length)).toEqual([500]);
    expect(calls.completedWith.map((batch) => batch.length)).toEqual([1]);
  });

  it('skips an object another worker holds (or that is finished) without touching it', async () => {
    const { ledger, calls } = fakeLedger(1);
    (ledger.claim as jest.Mock).mockResolvedValueOnce(null);
    const publisher = fakePublisher();
    const outcome = await ingestor(fakeStore({}), ledger, publisher).ingest(
      object('incoming/a.txt'),
      new Date(),
    );
    expect(outcome).toEqual({ kind: 'skipped' });
    expect(publisher.publishMany).not.toHaveBeenCalled();
    expect(calls.complete).toEqual([]);
  });
});
