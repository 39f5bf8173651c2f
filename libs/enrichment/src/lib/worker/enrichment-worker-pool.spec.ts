import { loadSample } from '../../__fixtures__/sample';
import { analyseArticle } from '../enrich-article';
import { EnrichmentWorkerPool } from './enrichment-worker-pool';
import {
  EnrichmentFailedError,
  EnrichmentPoolClosedError,
  EnrichmentTimeoutError,
  EnrichmentWorkerCrashedError,
  EnrichmentWorkerStartError,
} from './errors';

// Real worker threads, each loading ts-node, the gazetteer and the language model: seconds, not ms.
jest.setTimeout(120_000);

const sample = loadSample();
const now = new Date('2026-01-01T00:00:00Z');
const options = { publishedAt: sample.publishedAt, now };

/** Far more work than any deadline below allows (the sample takes a few ms; this, tens of seconds). */
function hugeArticle(): typeof sample {
  return { ...sample, text: Array.from({ length: 10_000 }, () => sample.text).join('\n\n') };
}

describe('EnrichmentWorkerPool', () => {
  describe('with two workers', () => {
    let pool: EnrichmentWorkerPool;
    beforeAll(async () => {
      pool = await EnrichmentWorkerPool.start({ size: 2, timeoutMs: 30_000 });
    });
    afterAll(() => pool.close());

    it('starts the workers it was asked for', () => {
      expect(pool.status()).toEqual({
        size: 2,
        readyWorkers: 2,
        busyWorkers: 0,
        startingWorkers: 0,
        queuedArticles: 0,
        replacedWorkers: 0,
        closed: false,
      });
    });

    it('returns what analyseArticle returns in-process', async () => {
      await expect(pool.analyse(sample, options)).resolves.toEqual(analyseArticle(sample, options));
    });

    it('runs two articles at once and queues the third', async () => {
      const articles = [
        sample,
        { ...sample, text: sample.text.slice(0, 900) },
        { ...sample, lede: 'Another' },
      ];
      const results = articles.map((article) => pool.analyse(article, options));
      expect(pool.status()).toMatchObject({ busyWorkers: 2, queuedArticles: 1 });
      await expect(Promise.all(results)).resolves.toEqual(
        articles.map((article) => analyseArticle(article, options)),
      );
      expect(pool.status()).toMatchObject({ busyWorkers: 0, queuedArticles: 0 });
    });

    it('rejects with EnrichmentFailedError when the enricher throws, and the worker stays up', async () => {
      // An invalid enrichment time makes analyseArticle throw (Date#toISOString), as it does in-process.
      const invalid = { ...options, now: new Date(Number.NaN) };
      expect(() => analyseArticle(sample, invalid)).toThrow(RangeError);
      const error: unknown = await pool.analyse(sample, invalid).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnrichmentFailedError);
      expect(error).toMatchObject({
        code: 'ENRICHMENT_FAILED',
        original: { name: 'RangeError', message: 'Invalid time value' },
      });
      expect((error as EnrichmentFailedError).original.stack).toContain('analyseArticle');
      expect(pool.status()).toMatchObject({ readyWorkers: 2, replacedWorkers: 0 });
      await expect(pool.analyse(sample, options)).resolves.toEqual(analyseArticle(sample, options));
    });
  });

  it('terminates and replaces a worker past the deadline; the article queued behind it still runs', async () => {
    const pool = await EnrichmentWorkerPool.start({ size: 1, timeoutMs: 1_000 });
    try {
      const slow = pool.analyse(hugeArticle(), options);
      const queued = pool.analyse(sample, options);
      const error: unknown = await slow.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnrichmentTimeoutError);
      expect(error).toMatchObject({ code: 'ENRICHMENT_TIMEOUT', timeoutMs: 1_000 });
      await expect(queued).resolves.toEqual(analyseArticle(sample, options));
      expect(pool.status()).toMatchObject({ readyWorkers: 1, replacedWorkers: 1 });
      await expect(pool.analyse(sample, options)).resolves.toEqual(analyseArticle(sample, options));
    } finally {
      await pool.close();
    }
  });

  it('replaces a worker that runs out of memory and rejects its article with EnrichmentWorkerCrashedError', async () => {
    // Enough for ts-node, the gazetteer and the language model, far too little for the huge article.
    const pool = await EnrichmentWorkerPool.start({
      size: 1,
      timeoutMs: 60_000,
      maxOldGenerationSizeMb: 256,
    });
    try {
      const error: unknown = await pool.analyse(hugeArticle(), options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EnrichmentWorkerCrashedError);
      expect(error).toMatchObject({ code: 'ENRICHMENT_WORKER_CRASHED', reason: 'ERR_WORKER_OUT_OF_MEMORY' });
      await expect(pool.analyse(sample, options)).resolves.toEqual(analyseArticle(sample, options));
      expect(pool.status()).toMatchObject({ readyWorkers: 1, replacedWorkers: 1 });
    } finally {
      await pool.close();
    }
  });

  it('fails to start, leaving nothing running, when a worker cannot load its data', async () => {
    const started = EnrichmentWorkerPool.start({ size: 2, timeoutMs: 1_000, maxOldGenerationSizeMb: 8 });
    await expect(started).rejects.toBeInstanceOf(EnrichmentWorkerStartError);
    await expect(started).rejects.toMatchObject({
      code: 'ENRICHMENT_WORKER_START_FAILED',
      cause: expect.objectContaining({ code: 'ERR_WORKER_OUT_OF_MEMORY' }),
    });
  });

  it('refuses a pool without workers or without a deadline', async () => {
    await expect(EnrichmentWorkerPool.start({ size: 0, timeoutMs: 1_000 })).rejects.toThrow(RangeError);
    await expect(EnrichmentWorkerPool.start({ size: 1, timeoutMs: 0 })).rejects.toThrow(RangeError);
  });

  it('close() rejects running and queued articles, terminates the workers and refuses new ones', async () => {
    const pool = await EnrichmentWorkerPool.start({ size: 1, timeoutMs: 60_000 });
    const running = pool.analyse(hugeArticle(), options).catch((e: unknown) => e);
    const queued = pool.analyse(sample, options).catch((e: unknown) => e);
    expect(pool.status()).toMatchObject({ busyWorkers: 1, queuedArticles: 1 });

    await pool.close();

    expect(await running).toBeInstanceOf(EnrichmentPoolClosedError);
    expect(await queued).toBeInstanceOf(EnrichmentPoolClosedError);
    expect(pool.status()).toMatchObject({
      readyWorkers: 0,
      startingWorkers: 0,
      queuedArticles: 0,
      closed: true,
    });
    await expect(pool.analyse(sample, options)).rejects.toMatchObject({ code: 'ENRICHMENT_POOL_CLOSED' });
    await expect(pool.close()).resolves.toBeUndefined();
  });
});
