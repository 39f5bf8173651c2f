/**
 * The replay reader against a real Postgres (DATABASE_URL): what it reads back is what was stored,
 * page after page, and it selects what the options say. The scratch database's sessions run at UTC+14
 * (see openStorageTestDatabase), so a date read in the session's zone would show.
 */
import { type ArticleEnrichedV1, type ArticleIngestedV1, type PayloadOf, Topic } from '@newsflow/contracts';

import { type StorageTestDatabase, openStorageTestDatabase } from '../app/testing/storage-database';
import { enriched, richEnrichment, sampleArticle, sampleEnrichment } from '../app/testing/storage-events';
import { type ReplayTopic } from './stored-article';
import { type ReplaySelection, StoredArticleReader } from './stored-article-reader';

let db: StorageTestDatabase;

beforeAll(async () => {
  db = await openStorageTestDatabase('storage_replay_reader');
});

afterAll(async () => {
  await db?.close();
});

beforeEach(async () => {
  await db.truncate();
});

const FEBRUARY = { from: '2022-02-01', to: '2022-02-28' };

/** An article as ingestion publishes it: timestamps from Date.toISOString(). */
const ingestedArticle = (overrides: Partial<ArticleIngestedV1> = {}) =>
  sampleArticle({
    firstSeenAt: '2022-02-23T08:00:00.123Z',
    ingestedAt: '2022-02-23T08:00:01.456Z',
    ...overrides,
  });

async function readAll<T extends ReplayTopic>(
  selection: ReplaySelection<T>,
  pageSize = 500,
): Promise<{ pages: number; payloads: PayloadOf<T>[]; invalid: { id: string; problems: string }[] }> {
  const reader = new StoredArticleReader(db.dataSource, pageSize);
  const payloads: PayloadOf<T>[] = [];
  const invalid: { id: string; problems: string }[] = [];
  let pages = 0;
  for await (const page of reader.pages(selection)) {
    pages += 1;
    for (const item of page) {
      if (item.ok) payloads.push(item.payload);
      else invalid.push({ id: item.id, problems: item.problems });
    }
  }
  return { pages, payloads, invalid };
}

const idsOf = (payloads: readonly (ArticleIngestedV1 | ArticleEnrichedV1)[]) =>
  payloads.map((payload) => ('article' in payload ? payload.article.id : payload.id));

const byPublication = (a: ArticleIngestedV1, b: ArticleIngestedV1) =>
  a.publishedAt === b.publishedAt ? (a.id < b.id ? -1 : 1) : a.publishedAt < b.publishedAt ? -1 : 1;

describe('StoredArticleReader', () => {
  it('reads back exactly the events that were stored (round trip)', async () => {
    const plain = ingestedArticle({ publishedAt: '2022-02-01' });
    const full = ingestedArticle({
      publishedAt: '2022-02-28',
      title: 'Duma ratifies the agreements',
      url: 'https://news.example/duma',
      author: 'A. Reporter',
      publisher: 'Example News',
      declaredLanguage: 'en',
      source: {
        bucket: 'news',
        key: 'feed.ndjson',
        etag: '"abc"',
        sizeBytes: 9_000,
        line: 7,
        byteStart: 10,
        byteEnd: 900,
      },
    });
    const microseconds = ingestedArticle({
      publishedAt: '2022-02-14',
      firstSeenAt: '2022-02-14T23:59:59.123456Z',
    });
    const enrichedLater = enriched(ingestedArticle({ publishedAt: '2022-02-10' }), richEnrichment());
    // Its ingested event never reached storage: the enriched event created the article.
    const enrichedOnly = enriched(
      ingestedArticle({ publishedAt: '2022-02-11', publisher: 'Wire' }),
      richEnrichment({ nearDuplicate: { of: plain.id, distance: 3, storyId: plain.id } }),
    );
    await db.articles.saveIngestedBatch([plain, full, microseconds, enrichedLater.article]);
    await db.articles.saveEnrichedBatch([enrichedLater, enrichedOnly]);

    const ingested = await readAll({ topic: Topic.ArticleIngestedV1, filter: FEBRUARY });
    expect(ingested.invalid).toEqual([]);
    expect(ingested.payloads).toStrictEqual(
      [plain, full, microseconds, enrichedLater.article, enrichedOnly.article].sort(byPublication),
    );

    const enrichedEvents = await readAll({ topic: Topic.ArticleEnrichedV1, filter: FEBRUARY });
    expect(enrichedEvents.invalid).toEqual([]);
    expect(enrichedEvents.payloads).toEqual([enrichedLater, enrichedOnly]);
  });

  it('gives timestamps written with an offset back as the same instant in UTC', async () => {
    const article = sampleArticle({ firstSeenAt: '2022-02-23T10:00:00.123+02:00' });
    await db.articles.saveIngestedBatch([article]);
    const { payloads } = await readAll({ topic: Topic.ArticleIngestedV1, filter: FEBRUARY });
    expect(payloads).toEqual([{ ...article, firstSeenAt: '2022-02-23T08:00:00.123Z' }]);
  });

  it('pages by (published date, id), oldest first: every article once, whatever the page size', async () => {
    const articles = Array.from({ length: 23 }, (_, index) =>
      ingestedArticle({ publishedAt: `2022-02-${String(1 + (index % 4)).padStart(2, '0')}` }),
    );
    await db.articles.saveIngestedBatch(articles);
    const expected = [...articles].sort(byPublication).map((article) => article.id);
    for (const pageSize of [1, 5, 23, 500]) {
      const { pages, payloads } = await readAll(
        { topic: Topic.ArticleIngestedV1, filter: FEBRUARY },
        pageSize,
      );
      expect(idsOf(payloads)).toEqual(expected);
      expect(pages).toBe(Math.ceil(23 / pageSize));
    }
    const limited = await readAll({ topic: Topic.ArticleIngestedV1, filter: FEBRUARY, limit: 7 }, 5);
    expect(idsOf(limited.payloads)).toEqual(expected.slice(0, 7));
  });

  it('selects for re-enrichment the articles of an older version or none, or every one', async () => {
    const [v1, v2, v3, never] = [1, 2, 3, 0].map((_, index) =>
      ingestedArticle({ publishedAt: `2022-02-0${index + 1}` }),
    );
    await db.articles.saveIngestedBatch([v1, v2, v3, never].map((article) => article as ArticleIngestedV1));
    await db.articles.saveEnrichedBatch([
      enriched(v1 as ArticleIngestedV1, sampleEnrichment(1)),
      enriched(v2 as ArticleIngestedV1, sampleEnrichment(2)),
      enriched(v3 as ArticleIngestedV1, sampleEnrichment(3)),
    ]);
    const reader = new StoredArticleReader(db.dataSource);

    const outdated: ReplaySelection = { topic: Topic.ArticleIngestedV1, filter: FEBRUARY, enrichedBefore: 3 };
    expect(idsOf((await readAll(outdated)).payloads)).toEqual([v1, v2, never].map((article) => article?.id));
    expect(await reader.count(outdated)).toEqual({ matching: 4, selected: 3, notEnriched: 1 });

    const all: ReplaySelection = { topic: Topic.ArticleIngestedV1, filter: FEBRUARY };
    expect((await readAll(all)).payloads).toHaveLength(4);
    expect(await reader.count(all)).toEqual({ matching: 4, selected: 4, notEnriched: 1 });

    const enrichedOnes: ReplaySelection = { topic: Topic.ArticleEnrichedV1, filter: FEBRUARY };
    expect(idsOf((await readAll(enrichedOnes)).payloads)).toEqual([v1, v2, v3].map((article) => article?.id));
    expect(await reader.count({ ...enrichedOnes, limit: 2 })).toEqual({
      matching: 4,
      selected: 2,
      notEnriched: 1,
    });
  });

  it('filters by publication dates (both inclusive), source prefix and publisher as the API does', async () => {
    const article = (publishedAt: string, key: string, publisher?: string) =>
      ingestedArticle({ publishedAt, publisher, source: { bucket: 'local', key, sizeBytes: 10 } });
    const dayBefore = article('2022-02-09', 'reuters/a.txt');
    const first = article('2022-02-10', 'reuters/b.txt', 'Reuters');
    const last = article('2022-02-20', 'reuters/c.txt', 'REUTERS');
    const dayAfter = article('2022-02-21', 'reuters/d.txt');
    const otherSource = article('2022-02-15', 'ap/e.txt', 'Reuters');
    // `_` is a LIKE wildcard: the prefix must match it literally.
    const underscore = article('2022-02-15', 'a_b/f.txt');
    const lookalike = article('2022-02-15', 'aXb/g.txt');
    await db.articles.saveIngestedBatch([
      dayBefore,
      first,
      last,
      dayAfter,
      otherSource,
      underscore,
      lookalike,
    ]);

    const ids = async (filter: ReplaySelection['filter']) =>
      new Set(idsOf((await readAll({ topic: Topic.ArticleIngestedV1, filter })).payloads));
    expect(await ids({ from: '2022-02-10', to: '2022-02-20' })).toEqual(
      new Set([first.id, last.id, otherSource.id, underscore.id, lookalike.id]),
    );
    expect(await ids({ from: '2022-02-10', to: '2022-02-10' })).toEqual(new Set([first.id]));
    expect(await ids({ ...FEBRUARY, sourcePrefix: 'local/reuters/' })).toEqual(
      new Set([dayBefore.id, first.id, last.id, dayAfter.id]),
    );
    expect(await ids({ ...FEBRUARY, sourcePrefix: 'local/a_b/' })).toEqual(new Set([underscore.id]));
    expect(await ids({ ...FEBRUARY, publisher: 'reuters' })).toEqual(
      new Set([first.id, last.id, otherSource.id]),
    );
    expect(await ids({ ...FEBRUARY, sourcePrefix: 'local/reuters/', publisher: 'Reuters' })).toEqual(
      new Set([first.id, last.id]),
    );
  });

  it('reports an article the contract no longer accepts and goes on with the others', async () => {
    const [good, broken, alsoGood] = [1, 2, 3].map((day) =>
      ingestedArticle({ publishedAt: `2022-02-0${day}` }),
    );
    await db.articles.saveIngestedBatch([good, broken, alsoGood] as ArticleIngestedV1[]);
    await db.dataSource.query(`UPDATE storage.articles SET lede = '', paragraphs = '[]' WHERE id = $1`, [
      broken?.id,
    ]);

    const { payloads, invalid } = await readAll({ topic: Topic.ArticleIngestedV1, filter: FEBRUARY });
    expect(idsOf(payloads)).toEqual([good?.id, alsoGood?.id]);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]?.id).toBe(broken?.id);
    expect(invalid[0]?.problems).toMatch(/lede: .*; paragraphs: /);
  });

  it('never writes: reading leaves every row untouched', async () => {
    const article = ingestedArticle();
    await db.articles.saveEnrichedBatch([enriched(article, richEnrichment())]);
    const before = await db.dump({ withSystemColumns: true });
    await readAll({ topic: Topic.ArticleEnrichedV1, filter: FEBRUARY });
    await readAll({ topic: Topic.ArticleIngestedV1, filter: FEBRUARY });
    expect(await db.dump({ withSystemColumns: true })).toEqual(before);
  });
});
