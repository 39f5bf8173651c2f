/**
 * ArticleRepository against a real Postgres (DATABASE_URL), no Kafka: the repository is what the
 * Kafka handlers call, so calling it directly with the events' payloads is the same write path.
 * The suite creates its own database `<database of DATABASE_URL>_storage_<random>` (dropped in
 * afterAll) and sets that database's time zone far from UTC, so date handling cannot pass by luck.
 */
import { createHash, randomBytes } from 'node:crypto';

import { type DataSource } from 'typeorm';

import {
  type ArticleIngestedV1,
  ArticleIngestedV1Schema,
  type EnrichmentV1,
  EnrichmentV1Schema,
} from '@newsflow/contracts';
import { ensureDatabaseExists, openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';
import { scratchDatabase } from '@newsflow/database/testing';

import { ArticleDto, ListArticlesQuery } from '../articles/article.dto';
import { ArticlesController } from '../articles/articles.controller';
import { STORAGE_MIGRATIONS } from '../migrations';
import { STORAGE_SCHEMA } from '../storage.config';
import { ArticleEntity } from './article.entity';
import { type ArticlePosition } from './article-filter';
import { ArticleQueryRepository } from './article-query.repository';
import { ArticleRepository } from './article.repository';

const { name: DATABASE, urlFor, admin } = scratchDatabase('storage');

// ---- sample events -------------------------------------------------------------------------------

let sequence = 0;

function sampleArticle(overrides: Partial<ArticleIngestedV1> = {}): ArticleIngestedV1 {
  sequence += 1;
  const body = `Paragraph ${sequence} ${randomBytes(8).toString('hex')}.`;
  const contentHash = createHash('sha256').update(body).digest('hex');
  return ArticleIngestedV1Schema.parse({
    id: contentHash.slice(0, 32),
    contentHash,
    publishedAt: '2022-02-22',
    lede: `Lede of article ${sequence}.`,
    paragraphs: [body, 'Second paragraph.'],
    text: `${body}\n\nSecond paragraph.`,
    wordCount: 7,
    source: {
      bucket: 'local',
      key: `news/${sequence}.txt`,
      etag: `"${sequence}"`,
      sizeBytes: 100 + sequence,
    },
    parserVersion: '1.0.0',
    firstSeenAt: '2022-02-23T10:00:00.123+02:00',
    ingestedAt: '2022-02-23T08:00:01.456Z',
    ...overrides,
  });
}

function sampleEnrichment(version: number, overrides: Partial<EnrichmentV1> = {}): EnrichmentV1 {
  return EnrichmentV1Schema.parse({
    enrichmentVersion: version,
    language: { code: version === 1 ? 'en' : 'uk', confidence: version === 1 ? 0.5 : 0.875 },
    wordCount: 7,
    readingTimeSeconds: 10 * version,
    enrichedAt: `2022-02-23T08:00:0${version}.000Z`,
    ...overrides,
  });
}

// ---- database ------------------------------------------------------------------------------------

let dataSource: DataSource;
let repository: ArticleRepository;
let queries: ArticleQueryRepository;

/** Newest first without any filter: what GET /api/articles serves without parameters. */
async function listNewestFirst(page: { limit: number; after?: ArticlePosition }): Promise<ArticleEntity[]> {
  const rows = await queries.listPage({ filter: {}, sort: 'newest', ...page });
  return rows.map((row) => row.article);
}

beforeAll(async () => {
  const url = urlFor(DATABASE);
  await ensureDatabaseExists(url);
  // Sessions of this database run far from UTC: calendar dates must still come back unchanged.
  await admin(`ALTER DATABASE "${DATABASE}" SET timezone TO 'Pacific/Kiritimati'`);
  dataSource = await openServiceDatabase(
    serviceDataSourceOptions({
      url,
      schema: STORAGE_SCHEMA,
      entities: [ArticleEntity],
      migrations: STORAGE_MIGRATIONS,
      poolSize: 5,
      applicationName: 'newsflow-storage-int-spec',
    }),
    STORAGE_SCHEMA,
  );
  repository = new ArticleRepository(dataSource);
  queries = new ArticleQueryRepository(dataSource);
});

afterAll(async () => {
  await dataSource?.destroy();
  await admin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
});

beforeEach(async () => {
  await dataSource.query('TRUNCATE storage.articles CASCADE');
});

type RowDump = Record<string, unknown>;

/** Every column of every row, as Postgres renders it (timestamps to the microsecond), by id. */
async function dumpRows(): Promise<RowDump[]> {
  const rows: { row: RowDump }[] = await dataSource.query(
    `SELECT to_jsonb(a) AS row FROM storage.articles a ORDER BY id`,
  );
  return rows.map((entry) => entry.row);
}

const withoutUpdatedAt = (rows: RowDump[]) => rows.map(({ updated_at: _updatedAt, ...business }) => business);

async function rowOf(id: string): Promise<RowDump> {
  const rows: { row: RowDump }[] = await dataSource.query(
    `SELECT to_jsonb(a) AS row FROM storage.articles a WHERE id = $1`,
    [id],
  );
  expect(rows).toHaveLength(1);
  return (rows[0] as { row: RowDump }).row;
}

// ---- tests ---------------------------------------------------------------------------------------

describe('ArticleRepository (real Postgres)', () => {
  it('stores an ingested article with every field, and reads it back', async () => {
    const article = sampleArticle({
      publishedAt: '2024-02-29',
      title: 'A headline',
      url: 'https://example.com/a',
      author: 'A. Writer',
      publisher: 'Example News',
      declaredLanguage: 'en',
    });
    await repository.saveIngested(article);

    const entity = await repository.findById(article.id);
    expect(entity).not.toBeNull();
    const dto = ArticleDto.from(entity as ArticleEntity);
    expect(dto).toEqual({
      id: article.id,
      publishedAt: '2024-02-29',
      title: 'A headline',
      lede: article.lede,
      paragraphs: article.paragraphs,
      text: article.text,
      wordCount: article.wordCount,
      url: 'https://example.com/a',
      author: 'A. Writer',
      publisher: 'Example News',
      source: article.source,
      contentHash: article.contentHash,
      language: null,
      readingTimeSeconds: null,
      sentiment: null,
      summary: null,
      storyId: article.id,
      enrichmentVersion: null,
      firstSeenAt: '2022-02-23T08:00:00.123Z',
      ingestedAt: '2022-02-23T08:00:01.456Z',
      storedAt: expect.any(String),
      enrichedAt: null,
      notifiedAt: null,
    });
    expect((entity as ArticleEntity).parserVersion).toBe('1.0.0');
    expect((entity as ArticleEntity).declaredLanguage).toBe('en');
    expect(await repository.findById('0'.repeat(32))).toBeNull();
  });

  describe('idempotent replays', () => {
    async function replayBothTopics(articles: ArticleIngestedV1[], enrichments: Map<string, EnrichmentV1>) {
      // Topic article.ingested.v1 from the start, then article.enriched.v1 from the start.
      for (const article of articles) await repository.saveIngested(article);
      for (const article of articles) {
        const enrichment = enrichments.get(article.id);
        if (enrichment) await repository.saveEnriched(article, enrichment);
      }
    }

    it('replaying the same ingested and enriched events leaves the same business columns', async () => {
      const articles = [sampleArticle(), sampleArticle({ publishedAt: '2021-01-01' }), sampleArticle()];
      const enrichments = new Map([
        [articles[0]?.id as string, sampleEnrichment(1)],
        [articles[1]?.id as string, sampleEnrichment(2)],
        // articles[2] has no enrichment yet.
      ]);

      await replayBothTopics(articles, enrichments);
      const first = await dumpRows();
      expect(first).toHaveLength(3);

      await replayBothTopics(articles, enrichments);
      await replayBothTopics(articles, enrichments);
      const replayed = await dumpRows();

      // Every column except updated_at is identical, to the microsecond (see the finding below).
      expect(withoutUpdatedAt(replayed)).toEqual(withoutUpdatedAt(first));
      // Articles without an enrichment are untouched completely, updated_at included.
      const unenriched = (rows: RowDump[]) => rows.find((row) => row['id'] === articles[2]?.id);
      expect(unenriched(replayed)).toEqual(unenriched(first));
    });

    it('replaying an identical enriched event leaves the row byte-for-byte identical (updated_at too)', async () => {
      const article = sampleArticle();
      await repository.saveIngested(article);
      await repository.saveEnriched(article, sampleEnrichment(1));
      const before = await rowOf(article.id);
      await repository.saveEnriched(article, sampleEnrichment(1));
      expect(await rowOf(article.id)).toEqual(before);
    });

    it('a replayed ingested event never touches an existing row, not even updated_at', async () => {
      const article = sampleArticle();
      await repository.saveIngested(article);
      const before = await rowOf(article.id);
      // Same id, different (even contradictory) fields: first writer wins, nothing changes.
      await repository.saveIngested(article);
      await repository.saveIngested({ ...article, lede: 'Another lede.', parserVersion: '9.9.9' });
      expect(await rowOf(article.id)).toEqual(before);
    });

    it('an enriched event before its ingested event creates the full row; the ingested event then changes nothing', async () => {
      const article = sampleArticle();
      const enrichment = sampleEnrichment(1);
      await repository.saveEnriched(article, enrichment);

      const afterEnriched = await rowOf(article.id);
      expect(afterEnriched).toMatchObject({
        id: article.id,
        content_hash: article.contentHash,
        lede: article.lede,
        paragraphs: article.paragraphs,
        body: article.text,
        word_count: article.wordCount,
        source: article.source,
        parser_version: article.parserVersion,
        language: 'en',
        language_confidence: 0.5,
        reading_time_seconds: 10,
        enrichment_version: 1,
        enrichment,
      });
      const dto = ArticleDto.from((await repository.findById(article.id)) as ArticleEntity);
      expect(dto.publishedAt).toBe(article.publishedAt);
      expect(dto.firstSeenAt).toBe(new Date(article.firstSeenAt).toISOString());
      expect(dto.language).toEqual({ code: 'en', confidence: 0.5 });
      expect(dto.enrichedAt).toBe(enrichment.enrichedAt);

      await repository.saveIngested(article);
      expect(await rowOf(article.id)).toEqual(afterEnriched);
    });

    it('enriched first then ingested gives the same business row as ingested then enriched', async () => {
      const article = sampleArticle();
      const enrichment = sampleEnrichment(2);
      await repository.saveEnriched(article, enrichment);
      await repository.saveIngested(article);
      const enrichedFirst = withoutTimestampsOfWrite(await rowOf(article.id));

      await dataSource.query('TRUNCATE storage.articles CASCADE');
      await repository.saveIngested(article);
      await repository.saveEnriched(article, enrichment);
      expect(withoutTimestampsOfWrite(await rowOf(article.id))).toEqual(enrichedFirst);
    });
  });

  describe('enrichment version guard', () => {
    it('v2 then v1: the older version never overwrites the newer one', async () => {
      const article = sampleArticle();
      await repository.saveIngested(article);
      await repository.saveEnriched(article, sampleEnrichment(2));
      const afterV2 = await rowOf(article.id);

      await repository.saveEnriched(article, sampleEnrichment(1));
      expect(await rowOf(article.id)).toEqual(afterV2);
      expect(afterV2).toMatchObject({ enrichment_version: 2, language: 'uk', reading_time_seconds: 20 });
    });

    it('v2 then v1 without any ingested event: still v2', async () => {
      const article = sampleArticle();
      await repository.saveEnriched(article, sampleEnrichment(2));
      await repository.saveEnriched(article, sampleEnrichment(1));
      expect(await rowOf(article.id)).toMatchObject({
        enrichment_version: 2,
        language: 'uk',
        language_confidence: 0.875,
        enrichment: sampleEnrichment(2),
      });
    });

    it('v1 then v2: the newer version replaces every enrichment column', async () => {
      const article = sampleArticle();
      await repository.saveIngested(article);
      await repository.saveEnriched(article, sampleEnrichment(1));
      await repository.saveEnriched(article, sampleEnrichment(2));
      const row = await rowOf(article.id);
      expect(row).toMatchObject({
        enrichment_version: 2,
        language: 'uk',
        language_confidence: 0.875,
        reading_time_seconds: 20,
        enrichment: sampleEnrichment(2),
      });
      expect(new Date(row['enriched_at'] as string).toISOString()).toBe(sampleEnrichment(2).enrichedAt);
    });
  });

  describe('listing newest first', () => {
    function byNewestFirst(a: { publishedAt: string; id: string }, b: { publishedAt: string; id: string }) {
      if (a.publishedAt !== b.publishedAt) return a.publishedAt < b.publishedAt ? 1 : -1;
      return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
    }

    const dates = ['2022-01-03', '2021-12-31', '2022-01-01', '2022-01-03', '2020-06-15', '2022-01-01'];

    it('orders by publication date descending, then id descending', async () => {
      const articles = Array.from({ length: 18 }, (_, index) =>
        sampleArticle({ publishedAt: dates[index % dates.length] }),
      );
      for (const article of articles) await repository.saveIngested(article);

      const listed = await listNewestFirst({ limit: 100 });
      const expected = [...articles].sort(byNewestFirst).map((article) => article.id);
      expect(listed.map((row) => row.id)).toEqual(expected);
      expect(listed.map((row) => ArticleDto.from(row).publishedAt)).toEqual(
        [...articles].sort(byNewestFirst).map((article) => article.publishedAt),
      );

      expect((await listNewestFirst({ limit: 5 })).map((row) => row.id)).toEqual(expected.slice(0, 5));
    });

    it('keyset pagination over 25 articles with limit 10 visits every article exactly once, in order', async () => {
      const articles = Array.from({ length: 25 }, (_, index) =>
        sampleArticle({ publishedAt: dates[index % dates.length] }),
      );
      for (const article of articles) await repository.saveIngested(article);

      const visited: string[] = [];
      let after: ArticlePosition | undefined;
      const pageSizes: number[] = [];
      for (;;) {
        const page = await listNewestFirst({ limit: 10, after });
        pageSizes.push(page.length);
        visited.push(...page.map((row) => row.id));
        const last = page.at(-1);
        if (page.length < 10 || !last) break;
        after = { publishedAt: last.publishedAt, id: last.id };
      }
      expect(pageSizes).toEqual([10, 10, 5]);
      expect(visited).toEqual([...articles].sort(byNewestFirst).map((article) => article.id));
    });

    it('through the API (opaque cursors): inserts between page fetches never make a page repeat or skip an article', async () => {
      const controller = new ArticlesController(repository, queries);
      const original = Array.from({ length: 25 }, (_, index) =>
        sampleArticle({ publishedAt: dates[index % dates.length] }),
      );
      for (const article of original) await repository.saveIngested(article);
      const originalIds = new Set(original.map((article) => article.id));

      const inserted: { article: ArticleIngestedV1; position: 'before cursor' | 'after cursor' }[] = [];
      /** Inserts articles that sort before the cursor (newer; same date, greater id) and after it. */
      async function insertAround(cursor: { publishedAt: string; id: string }) {
        const candidates = [
          sampleArticle({ publishedAt: '2030-01-01' }),
          sampleArticle({ publishedAt: '2000-01-01' }),
          ...Array.from({ length: 6 }, () => sampleArticle({ publishedAt: cursor.publishedAt })),
        ];
        for (const article of candidates) {
          await repository.saveIngested(article);
          inserted.push({
            article,
            position: byNewestFirst(article, cursor) < 0 ? 'before cursor' : 'after cursor',
          });
        }
      }

      const pages: { publishedAt: string; id: string }[][] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 20; guard++) {
        const page = await controller.list(Object.assign(new ListArticlesQuery(), { limit: 10, cursor }));
        pages.push(page.items.map((item) => ({ publishedAt: item.publishedAt, id: item.id })));
        if (page.nextCursor === null) break;
        const last = page.items.at(-1) as ArticleDto;
        await insertAround({ publishedAt: last.publishedAt, id: last.id });
        cursor = page.nextCursor;
      }
      const visited = pages.flat();
      const visitedIds = visited.map((item) => item.id);

      // No article is served twice, and the sequence is strictly newest first across page borders.
      expect(new Set(visitedIds).size).toBe(visitedIds.length);
      for (let index = 1; index < visited.length; index++) {
        expect(byNewestFirst(visited[index - 1] as never, visited[index] as never)).toBe(-1);
      }
      // Every article that existed when pagination started is served exactly once.
      const missing = [...originalIds].filter((id) => !visitedIds.includes(id));
      expect(missing).toEqual([]);
      // Keyset semantics for the articles inserted meanwhile: those that sort after the cursor at the
      // time of insertion are served on a later page; those that sort before it never are.
      const servedInserted = new Set(visitedIds.filter((id) => !originalIds.has(id)));
      for (const { article, position } of inserted) {
        expect({ id: article.id, position, served: servedInserted.has(article.id) }).toEqual({
          id: article.id,
          position,
          served: position === 'after cursor',
        });
      }
      expect(inserted.some(({ position }) => position === 'before cursor')).toBe(true);
      expect(inserted.some(({ position }) => position === 'after cursor')).toBe(true);
      expect(pages.slice(0, -1).every((page) => page.length === 10)).toBe(true);
    });

    it('the last page has no next cursor, also when it is exactly full', async () => {
      const controller = new ArticlesController(repository, queries);
      for (let index = 0; index < 20; index++) await repository.saveIngested(sampleArticle());
      const first = await controller.list(Object.assign(new ListArticlesQuery(), { limit: 10 }));
      expect(first.items).toHaveLength(10);
      expect(first.nextCursor).not.toBeNull();
      const second = await controller.list(
        Object.assign(new ListArticlesQuery(), { limit: 10, cursor: first.nextCursor ?? undefined }),
      );
      expect(second.items).toHaveLength(10);
      expect(second.nextCursor).toBeNull();
    });
  });
});

/** stored_at and updated_at record when a row was written, which differs between the two orders. */
function withoutTimestampsOfWrite(row: RowDump): RowDump {
  const { stored_at: _storedAt, updated_at: _updatedAt, ...rest } = row;
  return rest;
}
