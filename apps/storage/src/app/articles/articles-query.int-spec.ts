/**
 * The query API's filters, pagination and article details against a real Postgres (DATABASE_URL).
 * Query strings go through the same ValidationPipe as in the service, then to the controller.
 */
import { randomBytes } from 'node:crypto';

import {
  type ArticleEnrichedV1,
  type ArticleIngestedV1,
  type Entity,
  type EnrichmentV1,
} from '@newsflow/contracts';

import { ArticleQueryRepository } from '../persistence/article-query.repository';
import { entityId } from '../persistence/article-rows';
import { type StorageTestDatabase, openStorageTestDatabase } from '../testing/storage-database';
import { enriched, entity, richEnrichment, sampleArticle, sampleEnrichment } from '../testing/storage-events';
import { validatedQuery } from '../testing/validated-query';
import { type ArticleDto, ListArticlesQuery } from './article.dto';
import { ArticlesController } from './articles.controller';

let db: StorageTestDatabase;
let controller: ArticlesController;

beforeAll(async () => {
  db = await openStorageTestDatabase('storage_query');
  controller = new ArticlesController(db.articles, db.queries);
});

afterAll(async () => {
  await db?.close();
});

type Query = Record<string, string | string[]>;

async function list(query: Query): Promise<{ items: ArticleDto[]; nextCursor: string | null }> {
  return controller.list(await validatedQuery(ListArticlesQuery, query));
}

/** Every page, following nextCursor; `between` runs after each page (to insert concurrently). */
async function everyPage(
  query: Query,
  between?: (page: ArticleDto[]) => Promise<void>,
): Promise<ArticleDto[][]> {
  const pages: ArticleDto[][] = [];
  let cursor: string | undefined;
  for (let guard = 0; guard < 100; guard++) {
    const page = await list(cursor ? { ...query, cursor } : query);
    pages.push(page.items);
    if (page.nextCursor === null) return pages;
    await between?.(page.items);
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

const place = (countryCode: string, lat: number, lon: number, featureType: string) => ({
  countryCode,
  lat,
  lon,
  featureType,
});

async function store(article: ArticleIngestedV1, enrichment?: EnrichmentV1): Promise<ArticleIngestedV1> {
  await db.articles.saveIngested(article);
  if (enrichment) await db.articles.saveEnriched(article, enrichment);
  return article;
}

const enrichmentWith = (
  entities: Entity[],
  score: number,
  overrides: Partial<EnrichmentV1> = {},
): EnrichmentV1 =>
  sampleEnrichment(2, {
    entities,
    sentiment: { score, positive: Math.max(score, 0), negative: 0 },
    ...overrides,
  });

describe('GET /api/articles filters (real Postgres)', () => {
  const putin = entity('Vladimir Putin', 'PERSON', { aliases: ['Putin'] });
  const russia = entity('Russia', 'LOCATION', { place: place('RU', 60, 100, 'country') });
  const duma = entity('Duma', 'ORGANIZATION');
  const donbass = entity('Donbass', 'LOCATION');
  const kyiv = entity('Kyiv', 'LOCATION', { place: place('UA', 50.45466, 30.5238, 'PPLC') });
  const source = (bucket: string, key: string) => ({ bucket, key, sizeBytes: 100 });

  let a: Record<
    'vote' | 'voteCopy' | 'voteLater' | 'football' | 'german' | 'georgia' | 'pending',
    ArticleIngestedV1
  >;

  beforeAll(async () => {
    await db.truncate();
    const vote = await store(
      sampleArticle({
        publishedAt: '2022-02-20',
        lede: 'Russian lawmakers voted to recognise Donbass',
        text: 'The Duma voted unanimously on Tuesday.\n\nVladimir Putin signed the decree in Moscow.',
        publisher: 'Reuters',
        source: source('local', 'reuters/vote.txt'),
      }),
      enrichmentWith([putin, russia, duma, donbass], -0.5),
    );
    a = {
      vote,
      voteCopy: await store(
        sampleArticle({
          publishedAt: '2022-02-21',
          lede: 'Lawmakers in Russia voted to recognise Donbass',
          text: 'The Duma voted unanimously.\n\nPutin signed the decree.',
          publisher: 'Reuters',
          source: source('local', 'reuters/vote-copy.txt'),
        }),
        enrichmentWith([putin, russia, duma], -0.4, {
          nearDuplicate: { of: vote.id, distance: 4, storyId: vote.id },
        }),
      ),
      voteLater: await store(
        sampleArticle({
          publishedAt: '2022-02-23',
          lede: 'Russia recognises Donbass after the vote',
          text: 'The decree was signed in Moscow.',
          publisher: 'AP',
          source: source('local', 'ap_wire/vote.txt'),
        }),
        enrichmentWith([russia, donbass], 0.1, {
          nearDuplicate: { of: vote.id, distance: 6, storyId: vote.id },
        }),
      ),
      football: await store(
        sampleArticle({
          publishedAt: '2022-02-21',
          lede: 'Football final in Kyiv',
          text: 'Dynamo Kyiv won the match against Shakhtar.\n\nFans celebrated in the streets.',
          publisher: 'BBC',
          source: source('local', 'sport/football.txt'),
        }),
        enrichmentWith([kyiv, entity('Dynamo Kyiv', 'ORGANIZATION')], 0.6),
      ),
      german: await store(
        sampleArticle({
          publishedAt: '2022-02-22',
          lede: 'Die Duma hat abgestimmt',
          text: 'Wladimir Putin unterschrieb das Dekret.',
          publisher: 'Der Spiegel',
          source: source('s3-de', 'politik/duma.json'),
        }),
        enrichmentWith([putin, duma], 0, { language: { code: 'de', confidence: 0.97 } }),
      ),
      georgia: await store(
        sampleArticle({
          publishedAt: '2022-02-19',
          lede: 'Georgia votes on a new budget',
          text: 'The parliament of Georgia approved the budget.',
          source: source('local', 'apxwire/georgia.txt'),
        }),
        enrichmentWith([entity('Georgia', 'LOCATION'), entity('Georgia', 'PERSON')], 0.2),
      ),
      pending: await store(
        sampleArticle({
          publishedAt: '2022-02-24',
          lede: 'Not enriched yet: another vote',
          text: 'Nothing else.',
          source: source('local', 'reuters/pending.txt'),
        }),
      ),
    };
  });

  const ids = async (query: Query) => (await list({ limit: '100', ...query })).items.map((item) => item.id);
  /** The expected articles, newest first (ties by id, descending). */
  const newestFirst = (...articles: ArticleIngestedV1[]) =>
    [...articles]
      .sort((x, y) =>
        x.publishedAt !== y.publishedAt ? (x.publishedAt < y.publishedAt ? 1 : -1) : x.id < y.id ? 1 : -1,
      )
      .map((article) => article.id);

  it('without parameters: every article, newest first', async () => {
    expect(await ids({})).toEqual(
      newestFirst(a.vote, a.voteCopy, a.voteLater, a.football, a.german, a.georgia, a.pending),
    );
  });

  describe('q (full text, web-search syntax, English stemming)', () => {
    it.each<[string, (keyof typeof a)[]]>([
      ['vote', ['vote', 'voteCopy', 'voteLater', 'georgia', 'pending']],
      ['"Duma voted"', ['vote', 'voteCopy']],
      ['football or decree', ['football', 'vote', 'voteCopy', 'voteLater']],
      ['vote -Georgia', ['vote', 'voteCopy', 'voteLater', 'pending']],
      ['Putin Moscow', ['vote']],
      ['Shakhtar', ['football']],
    ])('q=%s', async (q, expected) => {
      expect(await ids({ q })).toEqual(newestFirst(...expected.map((key) => a[key])));
    });
  });

  describe('entity, entityMatch, type', () => {
    it('by canonical name, case-insensitive', async () => {
      expect(await ids({ entity: 'vladimir PUTIN' })).toEqual(newestFirst(a.vote, a.voteCopy, a.german));
    });

    it('by id', async () => {
      expect(await ids({ entity: entityId('LOCATION', 'Kyiv') })).toEqual([a.football.id]);
    });

    it('several: any of them (default) or all of them', async () => {
      expect(await ids({ entity: ['Vladimir Putin', 'Kyiv'] })).toEqual(
        newestFirst(a.vote, a.voteCopy, a.german, a.football),
      );
      expect(await ids({ entity: ['Vladimir Putin', 'Donbass'], entityMatch: 'all' })).toEqual([a.vote.id]);
      expect(
        await ids({ entity: ['Vladimir Putin', entityId('LOCATION', 'Donbass')], entityMatch: 'all' }),
      ).toEqual([a.vote.id]);
      expect(await ids({ entity: ['Kyiv', 'Donbass'], entityMatch: 'all' })).toEqual([]);
    });

    it('type narrows which entities match', async () => {
      expect(await ids({ entity: 'Georgia' })).toEqual([a.georgia.id]);
      expect(await ids({ entity: 'Georgia', type: 'PERSON' })).toEqual([a.georgia.id]);
      expect(await ids({ entity: 'Georgia', type: 'ORGANIZATION' })).toEqual([]);
      expect(await ids({ entity: ['Duma', 'Russia'], type: 'LOCATION' })).toEqual(
        newestFirst(a.vote, a.voteCopy, a.voteLater),
      );
    });

    it('an unknown entity matches nothing', async () => {
      expect(await ids({ entity: 'Nobody At All' })).toEqual([]);
    });
  });

  it('language', async () => {
    expect(await ids({ language: 'de' })).toEqual([a.german.id]);
    expect(await ids({ language: 'en' })).toEqual(
      newestFirst(a.vote, a.voteCopy, a.voteLater, a.football, a.georgia),
    );
  });

  it('from and to: publication dates, both inclusive', async () => {
    expect(await ids({ from: '2022-02-21', to: '2022-02-22' })).toEqual(
      newestFirst(a.voteCopy, a.football, a.german),
    );
    expect(await ids({ from: '2022-02-23' })).toEqual(newestFirst(a.voteLater, a.pending));
    expect(await ids({ to: '2022-02-19' })).toEqual([a.georgia.id]);
  });

  it('sentimentMin and sentimentMax (articles without sentiment never match)', async () => {
    expect(await ids({ sentimentMin: '0' })).toEqual(
      newestFirst(a.voteLater, a.football, a.german, a.georgia),
    );
    expect(await ids({ sentimentMax: '-0.45' })).toEqual([a.vote.id]);
    expect(await ids({ sentimentMin: '0', sentimentMax: '0.15' })).toEqual(
      newestFirst(a.voteLater, a.german),
    );
  });

  it('source: a bucket/key prefix, LIKE wildcards taken literally', async () => {
    expect(await ids({ source: 'local/reuters/' })).toEqual(newestFirst(a.vote, a.voteCopy, a.pending));
    expect(await ids({ source: 'local/ap_' })).toEqual([a.voteLater.id]);
    expect(await ids({ source: 's3-de' })).toEqual([a.german.id]);
    expect(await ids({ source: 'local/%' })).toEqual([]);
  });

  it('publisher: case-insensitive', async () => {
    expect(await ids({ publisher: 'reuters' })).toEqual(newestFirst(a.vote, a.voteCopy));
  });

  it('collapseDuplicates: one article per story, its earliest that matches', async () => {
    expect(await ids({ collapseDuplicates: 'true' })).toEqual(
      newestFirst(a.vote, a.football, a.german, a.georgia, a.pending),
    );
    expect(await ids({ collapseDuplicates: 'false' })).toHaveLength(7);
    // The story's first article does not match: its earliest article that does stands for it.
    expect(await ids({ collapseDuplicates: 'true', from: '2022-02-21' })).toEqual(
      newestFirst(a.voteCopy, a.football, a.german, a.pending),
    );
    expect(await ids({ collapseDuplicates: 'true', entity: 'Russia', from: '2022-02-21' })).toEqual([
      a.voteCopy.id,
    ]);
    expect(await ids({ collapseDuplicates: 'true', q: 'decree' })).toEqual([a.vote.id]);
    // Items carry their story, so a client can fetch the rest of it.
    const items = (await list({ entity: 'Russia' })).items;
    expect(new Set(items.map((item) => item.storyId))).toEqual(new Set([a.vote.id]));
  });

  it('every filter at once', async () => {
    expect(
      await ids({
        q: 'vote',
        entity: ['Russia', 'Duma'],
        entityMatch: 'all',
        language: 'en',
        from: '2022-02-20',
        to: '2022-02-21',
        sentimentMin: '-0.45',
        sentimentMax: '0',
        source: 'local/reuters/',
        publisher: 'Reuters',
      }),
    ).toEqual([a.voteCopy.id]);
  });

  describe('sort=relevance', () => {
    it('ranks a match in the title or lede (weight A) above one in the body only (weight B)', async () => {
      const inLede = sampleArticle({
        publishedAt: '2022-01-01',
        lede: 'New sanctions announced',
        text: 'Ministers met on Monday.',
      });
      const inBody = sampleArticle({
        publishedAt: '2022-01-02',
        lede: 'Ministers met on Monday',
        text: 'They announced new sanctions.',
      });
      await db.articles.saveIngestedBatch([inLede, inBody]);
      try {
        expect(await ids({ q: 'sanctions', sort: 'relevance' })).toEqual([inLede.id, inBody.id]);
        expect(await ids({ q: 'sanctions' })).toEqual([inBody.id, inLede.id]);
      } finally {
        await db.dataSource.query('DELETE FROM storage.articles WHERE id = ANY($1)', [
          [inLede.id, inBody.id],
        ]);
      }
    });
  });

  describe('article details', () => {
    it('GET /api/articles/:id: entities with places, keywords, quotes, amounts, dates, near-duplicate and story siblings', async () => {
      const article = sampleArticle({ publishedAt: '2022-02-25', lede: 'A copy', text: 'Copied text.' });
      const enrichment = richEnrichment({
        nearDuplicate: { of: a.voteCopy.id, distance: 2, storyId: a.vote.id },
      });
      await db.articles.saveEnrichedBatch([enriched(article, enrichment)]);
      try {
        const detail = await controller.get(article.id);
        expect(detail).toMatchObject({
          id: article.id,
          publishedAt: '2022-02-25',
          storyId: a.vote.id,
          language: { code: 'en', confidence: 0.99 },
          sentiment: { score: -0.25, positive: 0.1, negative: 0.35 },
          summary: 'Russian lawmakers voted.',
          simhash: '0123456789abcdef',
          enrichmentVersion: 2,
        });
        expect(detail.entities).toEqual([
          {
            id: entityId('PERSON', 'Vladimir Putin'),
            name: 'Vladimir Putin',
            type: 'PERSON',
            mentions: 3,
            salience: 1,
            offsets: [
              [0, 14],
              [100, 114],
            ],
            aliases: ['Putin'],
            place: null,
          },
          {
            id: entityId('LOCATION', 'Russia'),
            name: 'Russia',
            type: 'LOCATION',
            mentions: 3,
            salience: 0.75,
            offsets: [
              [0, 6],
              [100, 106],
            ],
            aliases: ['Russian Federation'],
            // Russia was first stored (by the corpus) with this place.
            place: { countryCode: 'RU', lat: 60, lon: 100, featureType: 'country' },
          },
          {
            id: entityId('ORGANIZATION', 'Duma'),
            name: 'Duma',
            type: 'ORGANIZATION',
            mentions: 1,
            salience: 0.3333333333333333,
            offsets: [
              [0, 4],
              [100, 104],
            ],
            aliases: [],
            place: null,
          },
        ]);
        // Doubles come back exactly, in the enrichment's order.
        expect(detail.keywords).toEqual(enrichment.keywords);
        expect(detail.quotes).toEqual([
          { text: '“I deem it necessary”', speaker: 'Vladimir Putin', offsets: [10, 31] },
        ]);
        expect(detail.amounts).toEqual([
          { text: '399 MPs', value: 399, unit: null, object: 'MPs', offsets: [40, 47] },
          { text: '$1.5 billion', value: 1_500_000_000, unit: 'USD', object: null, offsets: [50, 62] },
        ]);
        expect(detail.dates).toEqual(enrichment.dates);
        expect(detail.nearDuplicate).toEqual({ of: a.voteCopy.id, distance: 2, storyId: a.vote.id });
        expect(detail.storySiblings).toEqual([
          {
            id: a.vote.id,
            publishedAt: '2022-02-20',
            lede: a.vote.lede,
            nearDuplicateOf: null,
            distance: null,
          },
          {
            id: a.voteCopy.id,
            publishedAt: '2022-02-21',
            lede: a.voteCopy.lede,
            nearDuplicateOf: a.vote.id,
            distance: 4,
          },
          {
            id: a.voteLater.id,
            publishedAt: '2022-02-23',
            lede: a.voteLater.lede,
            nearDuplicateOf: a.vote.id,
            distance: 6,
          },
        ]);
        // The story's first article lists the others.
        expect((await controller.get(a.vote.id)).storySiblings.map((sibling) => sibling.id)).toEqual([
          a.voteCopy.id,
          a.voteLater.id,
          article.id,
        ]);
      } finally {
        await db.dataSource.query('DELETE FROM storage.articles WHERE id = $1', [article.id]);
      }
    });

    it('an article not enriched yet has empty details', async () => {
      expect(await controller.get(a.pending.id)).toMatchObject({
        entities: [],
        keywords: [],
        quotes: [],
        amounts: [],
        dates: [],
        nearDuplicate: null,
        storySiblings: [],
        language: null,
        sentiment: null,
      });
    });
  });
});

describe('GET /api/articles pagination under concurrent inserts, with every kind of filter (real Postgres)', () => {
  /** Articles that match the filters below; every third one starts a story the next two copy. */
  function matching(publishedAt: string, storyId?: string): ArticleEnrichedV1 {
    const article = sampleArticle({
      publishedAt,
      lede: `Lawmakers vote on bill ${randomBytes(3).toString('hex')}`,
      text: `The vote was close.\n\nVladimir Putin commented ${randomBytes(6).toString('hex')}.`,
      source: { bucket: 'local', key: `paged/${randomBytes(4).toString('hex')}.txt`, sizeBytes: 1 },
    });
    return enriched(
      article,
      enrichmentWith([entity('Vladimir Putin', 'PERSON')], 0.1, {
        nearDuplicate: storyId ? { of: storyId, distance: 3, storyId } : undefined,
      }),
    );
  }

  /** The article that stands for each story when collapsing: its earliest by (publishedAt, id). */
  function earliestOfEachStory(items: ArticleEnrichedV1[]): string[] {
    const earliest = new Map<string, ArticleIngestedV1>();
    for (const { article, enrichment } of items) {
      const story = enrichment.nearDuplicate?.storyId ?? article.id;
      const current = earliest.get(story);
      const key = (candidate: ArticleIngestedV1) => `${candidate.publishedAt} ${candidate.id}`;
      if (!current || key(article) < key(current)) earliest.set(story, article);
    }
    return [...earliest.values()].map((article) => article.id);
  }

  const dates = ['2022-03-05', '2022-03-01', '2022-03-03', '2022-03-05', '2022-03-02', '2022-03-03'];
  let original: ArticleEnrichedV1[];

  beforeEach(async () => {
    await db.truncate();
    original = [];
    for (let index = 0; index < 30; index++) {
      const root = index % 3 === 0 ? undefined : original[index - (index % 3)]?.article.id;
      original.push(matching(dates[index % dates.length] as string, root));
    }
    await db.articles.saveEnrichedBatch(original);
  });

  /** The sort key of each served item, to check the order across page borders. */
  async function sortKeys(
    items: readonly { id: string }[],
    q?: string,
  ): Promise<Map<string, [number, string, string]>> {
    const rows = (await db.dataSource.query(
      `SELECT id, to_char(published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              ${q ? `ts_rank(search, websearch_to_tsquery('english', $2), 1)` : '0::real'} AS rank
         FROM storage.articles WHERE id = ANY($1)`,
      q ? [items.map((item) => item.id), q] : [items.map((item) => item.id)],
    )) as { id: string; day: string; rank: number }[];
    return new Map(rows.map((row) => [row.id, [row.rank, row.day, row.id]]));
  }

  const descending = (x: [number, string, string], y: [number, string, string]) =>
    x[0] !== y[0] ? x[0] > y[0] : x[1] !== y[1] ? x[1] > y[1] : x[2] > y[2];

  it.each<[string, Query]>([
    ['q', { q: 'vote' }],
    ['entity', { entity: 'Vladimir Putin' }],
    [
      'entity by id, all',
      { entity: [entityId('PERSON', 'Vladimir Putin')], entityMatch: 'all', type: 'PERSON' },
    ],
    [
      'language, dates, sentiment',
      { language: 'en', from: '2022-03-01', to: '2022-03-05', sentimentMin: '0' },
    ],
    ['source prefix', { source: 'local/paged/' }],
    ['collapseDuplicates', { collapseDuplicates: 'true', q: 'vote' }],
    ['sort=relevance', { q: 'vote', sort: 'relevance' }],
    ['sort=relevance, collapsed', { q: 'vote', sort: 'relevance', collapseDuplicates: 'true' }],
    ['sort=relevance, one entity', { q: 'vote', sort: 'relevance', entity: 'Vladimir Putin' }],
    ['one entity, collapsed', { entity: 'Vladimir Putin', collapseDuplicates: 'true' }],
  ])('%s: no item served twice, none of the existing skipped, strictly in order', async (_label, query) => {
    const collapse = query['collapseDuplicates'] === 'true';
    const inserted: ArticleEnrichedV1[] = [];
    const pages = await everyPage({ ...query, limit: '4' }, async (page) => {
      const last = page.at(-1) as ArticleDto;
      // Newer and older than the cursor, and on its date (either side of its id); when collapsing,
      // newer copies of stories already served and of stories still to come.
      const storyOf = (index: number) => (collapse ? original[index * 3]?.article.id : undefined);
      const batch = [
        matching('2030-01-01', storyOf(0)),
        matching('2000-01-01'),
        matching(last.publishedAt),
        matching(last.publishedAt),
        matching('2030-01-02', storyOf(9)),
      ];
      await db.articles.saveEnrichedBatch(batch);
      inserted.push(...batch);
    });
    const served = pages.flat();
    const servedIds = served.map((item) => item.id);
    expect(pages.slice(0, -1).every((page) => page.length === 4)).toBe(true);
    expect(new Set(servedIds).size).toBe(servedIds.length);

    const expectedOriginals = collapse
      ? earliestOfEachStory(original)
      : original.map((item) => item.article.id);
    expect(expectedOriginals.filter((id) => !servedIds.includes(id))).toEqual([]);
    if (collapse) {
      expect(new Set(served.map((item) => item.storyId)).size).toBe(served.length);
    }

    const keys = await sortKeys(served, query['sort'] === 'relevance' ? String(query['q']) : undefined);
    for (let index = 1; index < served.length; index++) {
      const previous = keys.get((served[index - 1] as ArticleDto).id) as [number, string, string];
      const current = keys.get((served[index] as ArticleDto).id) as [number, string, string];
      expect({ index, ordered: descending(previous, current) }).toEqual({ index, ordered: true });
    }
    // Articles inserted meanwhile that sort before the cursor are never served (keyset semantics), so
    // some of those inserted were left out, and some after it were served.
    expect(inserted.some((item) => !servedIds.includes(item.article.id))).toBe(true);
    expect(inserted.some((item) => servedIds.includes(item.article.id))).toBe(true);
  });

  describe('sort=relevance ranks windows of the newest matches', () => {
    const WINDOW = 4;
    /** A controller whose relevance windows hold WINDOW matches, so that a few articles span several. */
    const smallWindows = () =>
      new ArticlesController(db.articles, new ArticleQueryRepository(db.dataSource, WINDOW));

    async function everySmallWindowPage(
      query: Query,
      between?: (page: ArticleDto[]) => Promise<void>,
    ): Promise<ArticleDto[][]> {
      const windowed = smallWindows();
      const pages: ArticleDto[][] = [];
      let cursor: string | undefined;
      for (let guard = 0; guard < 100; guard++) {
        const page = await windowed.list(
          await validatedQuery(ListArticlesQuery, cursor ? { ...query, cursor } : query),
        );
        pages.push(page.items);
        if (page.nextCursor === null) return pages;
        await between?.(page.items);
        cursor = page.nextCursor;
      }
      throw new Error('pagination did not end');
    }

    it('window by window, newest window first, by rank within a window', async () => {
      await db.truncate();
      // Articles of the same length on 12 days; how often they say "vote" sets their rank.
      const articles = Array.from({ length: 12 }, (_, index) =>
        sampleArticle({
          publishedAt: `2022-04-${String(index + 1).padStart(2, '0')}`,
          lede: `Lawmakers meet ${randomBytes(3).toString('hex')}`,
          text: `${'vote '.repeat((index * 7) % 5)}${'debate '.repeat(4 - ((index * 7) % 5))}ends.`,
        }),
      );
      await db.articles.saveIngestedBatch(articles);
      const served = (await everySmallWindowPage({ q: 'vote', sort: 'relevance', limit: '2' })).flat();

      const voting = articles.filter((article) => (articles.indexOf(article) * 7) % 5 > 0);
      const newestFirst = [...voting].sort((x, y) =>
        x.publishedAt !== y.publishedAt ? (x.publishedAt > y.publishedAt ? -1 : 1) : x.id > y.id ? -1 : 1,
      );
      const keys = await sortKeys(voting, 'vote');
      const byKey = (x: ArticleIngestedV1, y: ArticleIngestedV1) =>
        descending(keys.get(x.id) as [number, string, string], keys.get(y.id) as [number, string, string])
          ? -1
          : 1;
      const expected = [];
      for (let start = 0; start < newestFirst.length; start += WINDOW) {
        expected.push(...newestFirst.slice(start, start + WINDOW).sort(byKey));
      }
      expect(served.map((item) => item.id)).toEqual(expected.map((article) => article.id));
      // Not simply newest first: the ranks reorder each window.
      expect(served.map((item) => item.id)).not.toEqual(newestFirst.map((article) => article.id));
    });

    it.each<[string, Query]>([
      ['q', { q: 'vote', sort: 'relevance' }],
      ['collapsed', { q: 'vote', sort: 'relevance', collapseDuplicates: 'true' }],
    ])('%s: no item served twice, none of the existing skipped, across inserts', async (_label, query) => {
      const collapse = query['collapseDuplicates'] === 'true';
      const inserted: ArticleEnrichedV1[] = [];
      const pages = await everySmallWindowPage({ ...query, limit: '3' }, async (page) => {
        const last = page.at(-1) as ArticleDto;
        const storyOf = (index: number) => (collapse ? original[index * 3]?.article.id : undefined);
        const batch = [
          matching('2030-01-01', storyOf(0)),
          matching('2000-01-01'),
          matching(last.publishedAt),
          matching('2030-01-02', storyOf(9)),
        ];
        await db.articles.saveEnrichedBatch(batch);
        inserted.push(...batch);
      });
      const servedIds = pages.flat().map((item) => item.id);
      expect(pages.slice(0, -1).every((page) => page.length === 3)).toBe(true);
      expect(new Set(servedIds).size).toBe(servedIds.length);
      const expectedOriginals = collapse
        ? earliestOfEachStory(original)
        : original.map((item) => item.article.id);
      expect(expectedOriginals.filter((id) => !servedIds.includes(id))).toEqual([]);
      // The originals span several windows of WINDOW, and articles stored meanwhile below the windows
      // already opened are served (those older than every original here).
      expect(expectedOriginals.length).toBeGreaterThan(2 * WINDOW);
      expect(inserted.some((item) => servedIds.includes(item.article.id))).toBe(true);
    });
  });

  it('a cursor only continues the query it came from', async () => {
    const newest = await list({ q: 'vote', limit: '2' });
    const relevance = await list({ q: 'vote', sort: 'relevance', limit: '2' });
    await expect(list({ q: 'vote', sort: 'relevance', cursor: newest.nextCursor as string })).rejects.toThrow(
      /cursor/,
    );
    await expect(list({ q: 'vote', cursor: relevance.nextCursor as string })).rejects.toThrow(/cursor/);
    await expect(
      list({ q: 'vote bill', sort: 'relevance', cursor: relevance.nextCursor as string }),
    ).rejects.toThrow(/cursor: belongs to a different query/);
    // Same query: fine.
    const next = await list({
      q: 'vote',
      sort: 'relevance',
      limit: '2',
      cursor: relevance.nextCursor as string,
    });
    expect(next.items).toHaveLength(2);
  });
});
