/**
 * The batch write path against a real Postgres (DATABASE_URL): replays, out-of-order events, the
 * version guard over the child tables, and the migration's backfill. Assertions compare dumps of
 * every storage table, so a write to any table that should not happen shows.
 */
import { type ArticleEnrichedV1, type ArticleIngestedV1, type EnrichmentV1 } from '@newsflow/contracts';
import { openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';

import { CreateArticles1764100000000 } from '../migrations/1764100000000-create-articles';
import { STORAGE_MIGRATIONS } from '../migrations';
import { ArticleNotifications1765000000000 } from '../migrations/1765000000000-article-notifications';
import { ChildRowsUnchecked1765100000000 } from '../migrations/1765100000000-child-rows-unchecked';
import { STORAGE_SCHEMA } from '../storage.config';
import { ArticleEntity } from './article.entity';
import { ArticleRepository } from './article.repository';
import { INGESTED_ARTICLE_COLUMNS, entityId } from './article-rows';
import { unnestInsert } from './unnest-insert';
import { type StorageTestDatabase, openStorageTestDatabase } from '../testing/storage-database';
import { enriched, entity, richEnrichment, sampleArticle, sampleEnrichment } from '../testing/storage-events';

let db: StorageTestDatabase;

beforeAll(async () => {
  db = await openStorageTestDatabase('storage_batch');
});

afterAll(async () => {
  await db?.close();
});

beforeEach(async () => {
  await db.truncate();
});

type Dump = Record<string, unknown[]>;

/** Columns that record when a row was written, which legitimately differ between two write orders. */
const WRITE_TIMES = ['stored_at', 'updated_at', 'created_at'];

function withoutWriteTimes(dump: Dump): Dump {
  return Object.fromEntries(
    Object.entries(dump).map(([table, rows]) => [
      table,
      rows.map((row) =>
        Object.fromEntries(Object.entries(row as object).filter(([column]) => !WRITE_TIMES.includes(column))),
      ),
    ]),
  );
}

/** The dump without entities that no article mentions. */
function linkedEntitiesOnly(dump: Dump): Dump {
  const linked = new Set(dump['article_entities']?.map((row) => (row as { entity_id: string }).entity_id));
  return {
    ...dump,
    entities: dump['entities']?.filter((row) => linked.has((row as { id: string }).id)) ?? [],
  };
}

/** Until a session of this database waits for a row lock (polls pg_stat_activity for up to 10 s). */
async function waitForLockWait(): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const [row] = (await db.dataSource.query(
      `SELECT count(*)::int AS waiting FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    )) as { waiting: number }[];
    if ((row?.waiting ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('No session waited for a lock within 10 s');
}

/** A small news day: shared entities, stories of near-duplicates, one article not enriched yet. */
function newsDay(): { ingested: ArticleIngestedV1[]; enrichedEvents: ArticleEnrichedV1[] } {
  const ingested = Array.from({ length: 12 }, (_, index) =>
    sampleArticle({ publishedAt: `2022-02-${String(10 + (index % 5)).padStart(2, '0')}` }),
  );
  const root = ingested[0] as ArticleIngestedV1;
  const enrichedEvents = ingested.slice(0, 11).map((article, index) =>
    enriched(
      article,
      richEnrichment({
        entities: [
          entity('Vladimir Putin', 'PERSON', { aliases: ['Putin'] }),
          entity(`Person ${index}`, 'PERSON'),
          entity('Kyiv', 'LOCATION', {
            place: { countryCode: 'UA', lat: 50.45466, lon: 30.5238, featureType: 'PPLC' },
          }),
        ],
        nearDuplicate:
          index > 0 && index < 4 ? { of: root.id, distance: index, storyId: root.id } : undefined,
      }),
    ),
  );
  return { ingested, enrichedEvents };
}

describe('batch writes (real Postgres)', () => {
  it('replaying both topics, in batches or one message at a time, leaves every table identical and rewrites no row', async () => {
    const { ingested, enrichedEvents } = newsDay();
    await db.articles.saveIngestedBatch(ingested);
    await db.articles.saveEnrichedBatch(enrichedEvents);
    const first = await db.dump({ withSystemColumns: true });
    expect(first['articles']).toHaveLength(12);
    expect(first['entities']).toHaveLength(2 + 11);
    expect(first['article_entities']).toHaveLength(33);
    expect(first['near_duplicates']).toHaveLength(3);

    // The whole topics again, as batches of other sizes and as single messages.
    await db.articles.saveIngestedBatch(ingested);
    expect(await db.articles.saveEnrichedBatch(enrichedEvents)).toEqual({ written: [] });
    for (const article of ingested) await db.articles.saveIngested(article);
    for (const { article, enrichment } of enrichedEvents) await db.articles.saveEnriched(article, enrichment);
    await db.articles.saveEnrichedBatch([...enrichedEvents.slice(5), ...enrichedEvents.slice(0, 5)]);

    // xmin is part of the dump: not a single row was written again, updated_at included.
    expect(await db.dump({ withSystemColumns: true })).toEqual(first);
  });

  it('a batch writes the same rows as one call per message', async () => {
    const { ingested, enrichedEvents } = newsDay();
    await db.articles.saveIngestedBatch(ingested);
    await db.articles.saveEnrichedBatch(enrichedEvents);
    const batched = withoutWriteTimes(await db.dump());

    await db.truncate();
    for (const article of ingested) await db.articles.saveIngested(article);
    for (const { article, enrichment } of enrichedEvents) await db.articles.saveEnriched(article, enrichment);
    expect(withoutWriteTimes(await db.dump())).toEqual(batched);
  });

  it('an enriched event before its ingested event is not lost; the late ingested event changes nothing', async () => {
    const { ingested, enrichedEvents } = newsDay();
    await db.articles.saveEnrichedBatch(enrichedEvents);
    const enrichedFirst = await db.dump({ withSystemColumns: true });
    expect(enrichedFirst['articles']).toHaveLength(11);

    await db.articles.saveIngestedBatch(ingested);
    const afterIngested = await db.dump({ withSystemColumns: true });
    // The one article without an enrichment is new; the 11 others are untouched.
    expect(afterIngested['articles']).toHaveLength(12);
    const lateOnly = ingested[11] as ArticleIngestedV1;
    expect({
      ...afterIngested,
      articles: afterIngested['articles']?.filter((row) => (row as { id: string }).id !== lateOnly.id),
    }).toEqual(enrichedFirst);

    // And the result equals the natural order, apart from when rows were written.
    const outOfOrder = withoutWriteTimes(await db.dump());
    await db.truncate();
    await db.articles.saveIngestedBatch(ingested);
    await db.articles.saveEnrichedBatch(enrichedEvents);
    expect(withoutWriteTimes(await db.dump())).toEqual(outOfOrder);
  });

  it('an enrichment written while its ingested event is being inserted (not committed yet) is not lost', async () => {
    const { ingested, enrichedEvents } = newsDay();
    const racing = ingested[0] as ArticleIngestedV1;
    // The ingested batch holds its new row uncommitted while the enriched batch runs.
    const ingestion = db.dataSource.createQueryRunner();
    await ingestion.connect();
    try {
      await ingestion.startTransaction();
      const insert = unnestInsert('storage.articles', INGESTED_ARTICLE_COLUMNS, [racing]);
      await ingestion.query(insert.sql, insert.parameters);
      const enrichment = db.articles.saveEnrichedBatch(enrichedEvents);
      // The enriched batch's insert of that article has to wait for the ingested transaction.
      await waitForLockWait();
      await ingestion.commitTransaction();
      const { written } = await enrichment;
      expect(written).toContain(racing.id);
    } finally {
      await ingestion.release();
    }

    const expected = withoutWriteTimes(await db.dump());
    await db.truncate();
    await db.articles.saveIngestedBatch([racing]);
    await db.articles.saveEnrichedBatch(enrichedEvents);
    expect(withoutWriteTimes(await db.dump())).toEqual(expected);
  });

  describe('enrichment version guard, child rows included', () => {
    const article = () => sampleArticle();
    const v1 = sampleEnrichment(1, {
      entities: [entity('Old Entity', 'MISC')],
      keywords: [{ text: 'old', score: 1 }],
      quotes: [{ text: 'old quote', offsets: [0, 9] }],
      amounts: [{ text: '1 old', value: 1, offsets: [0, 5] }],
      sentiment: { score: 0.5, positive: 0.5, negative: 0 },
      nearDuplicate: { of: 'a'.repeat(32), distance: 3, storyId: 'a'.repeat(32) },
    });
    const v2 = richEnrichment();

    it('v2 then v1 (in separate batches): v2 stays, with its entities, keywords, quotes, amounts; no row rewritten', async () => {
      const target = article();
      await db.articles.saveIngestedBatch([target]);
      await db.articles.saveEnrichedBatch([enriched(target, v2)]);
      const afterV2 = await db.dump({ withSystemColumns: true });

      expect(await db.articles.saveEnrichedBatch([enriched(target, v1)])).toEqual({ written: [] });
      await db.articles.saveEnriched(target, v1);
      expect(await db.dump({ withSystemColumns: true })).toEqual(afterV2);
      expect(afterV2['article_entities']).toHaveLength(3);
      expect(afterV2['near_duplicates']).toEqual([]);
      expect(afterV2['articles']?.[0]).toMatchObject({ enrichment_version: 2, story_id: target.id });
    });

    it('v1 then v2: v2 replaces every enrichment column and every child row of v1', async () => {
      const target = article();
      await db.articles.saveEnrichedBatch([enriched(target, v1)]);
      expect((await db.dump())['near_duplicates']).toHaveLength(1);
      expect((await db.dump())['articles']?.[0]).toMatchObject({ story_id: 'a'.repeat(32) });

      expect(await db.articles.saveEnrichedBatch([enriched(target, v2)])).toEqual({ written: [target.id] });
      const dump = await db.dump();
      expect(dump['articles']?.[0]).toMatchObject({
        enrichment_version: 2,
        story_id: target.id,
        sentiment_score: -0.25,
        summary: 'Russian lawmakers voted.',
        enrichment: v2,
      });
      expect(dump['article_entities']?.map((row) => (row as { entity_id: string }).entity_id).sort()).toEqual(
        [
          entityId('PERSON', 'Vladimir Putin'),
          entityId('LOCATION', 'Russia'),
          entityId('ORGANIZATION', 'Duma'),
        ].sort(),
      );
      expect(dump['article_keywords']).toHaveLength(2);
      expect(dump['article_quotes']).toEqual([
        expect.objectContaining({ text: '“I deem it necessary”', speaker: 'Vladimir Putin' }),
      ]);
      expect(dump['article_amounts']).toHaveLength(2);
      expect(dump['near_duplicates']).toEqual([]);
      // Entities are a shared dictionary: v1's entity stays known, only its link to this article went.
      expect(
        dump['entities']?.map((row) => (row as { canonical_name: string }).canonical_name).sort(),
      ).toEqual(['Duma', 'Old Entity', 'Russia', 'Vladimir Putin']);
    });

    it.each([
      ['v2 then v1', [v2, v1]],
      ['v1 then v2', [v1, v2]],
    ])(
      'both versions in one batch (%s): v2 wins, as one message at a time would leave it',
      async (_label, versions) => {
        const target = article();
        await db.articles.saveEnrichedBatch(versions.map((version) => enriched(target, version)));
        const batched = withoutWriteTimes(await db.dump());
        expect(batched['articles']?.[0]).toMatchObject({ enrichment_version: 2, enrichment: v2 });

        await db.truncate();
        for (const version of versions) await db.articles.saveEnriched(target, version);
        // The entity dictionary may also know entities of a version that one message at a time wrote
        // and then replaced; a batch skips that version entirely. No article links to them.
        expect(linkedEntitiesOnly(withoutWriteTimes(await db.dump()))).toEqual(batched);
      },
    );

    it('an enrichment of the same version that differs replaces the stored one (the later one wins)', async () => {
      const target = article();
      const corrected: EnrichmentV1 = { ...v2, keywords: [{ text: 'corrected', score: 2 }] };
      await db.articles.saveEnrichedBatch([enriched(target, v2)]);
      await db.articles.saveEnrichedBatch([enriched(target, corrected)]);
      expect((await db.dump())['article_keywords']).toEqual([
        { article_id: target.id, position: 0, text: 'corrected', score: 2 },
      ]);
    });
  });

  it('entities are unique per (type, canonical name), shared by articles; a missing place is filled in once', async () => {
    const [first, second, third, fourth] = [
      sampleArticle(),
      sampleArticle(),
      sampleArticle(),
      sampleArticle(),
    ];
    const kyiv = { countryCode: 'UA', lat: 50.45466, lon: 30.5238, featureType: 'PPLC' };
    const locationOf = async () =>
      (await db.dump())['entities']?.find((row) => (row as { type: string }).type === 'LOCATION');

    await db.articles.saveEnrichedBatch([
      enriched(first as ArticleIngestedV1, sampleEnrichment(2, { entities: [entity('Kyiv', 'LOCATION')] })),
    ]);
    expect(await locationOf()).toMatchObject({
      country_code: null,
      lat: null,
      lon: null,
      feature_type: null,
    });

    // A later batch knows where it is: the place is filled in.
    await db.articles.saveEnrichedBatch([
      enriched(
        second as ArticleIngestedV1,
        sampleEnrichment(2, {
          entities: [entity('Kyiv', 'LOCATION', { place: kyiv }), entity('Kyiv', 'MISC')],
        }),
      ),
    ]);
    expect(await locationOf()).toMatchObject({
      country_code: 'UA',
      lat: 50.45466,
      lon: 30.5238,
      feature_type: 'PPLC',
    });
    const placed = await db.dump({ withSystemColumns: true });

    // Another place later, or none, does not move the entity (and does not rewrite its row).
    await db.articles.saveEnrichedBatch([
      enriched(
        third as ArticleIngestedV1,
        sampleEnrichment(2, {
          entities: [entity('Kyiv', 'LOCATION', { place: { ...kyiv, lat: 0, featureType: 'PPL' } })],
        }),
      ),
      enriched(fourth as ArticleIngestedV1, sampleEnrichment(2, { entities: [entity('Kyiv', 'LOCATION')] })),
    ]);
    const dump = await db.dump({ withSystemColumns: true });
    expect(dump['entities']).toEqual(placed['entities']);
    const ids = (dump['entities'] as { id: string; type: string; canonical_name: string }[]).map((row) => [
      row.id,
      row.type,
      row.canonical_name,
    ]);
    expect(ids).toEqual(
      [
        [entityId('LOCATION', 'Kyiv'), 'LOCATION', 'Kyiv'],
        [entityId('MISC', 'Kyiv'), 'MISC', 'Kyiv'],
      ].sort((a, b) => ((a[0] as string) < (b[0] as string) ? -1 : 1)),
    );
    expect(dump['article_entities']).toHaveLength(5);
  });

  it('writes a batch far beyond what fits in 65,535 bind parameters of a multi-row VALUES', async () => {
    const items = Array.from({ length: 1_000 }, (_, index) =>
      enriched(
        sampleArticle(),
        richEnrichment({
          entities: Array.from({ length: 15 }, (_, n) => entity(`Entity ${(index * 7 + n) % 400}`, 'PERSON')),
        }),
      ),
    );
    const { written } = await db.articles.saveEnrichedBatch(items);
    expect(written).toHaveLength(1_000);
    const [counts] = (await db.dataSource.query(
      `SELECT (SELECT count(*)::int FROM storage.articles) AS articles,
              (SELECT count(*)::int FROM storage.article_entities) AS links,
              (SELECT count(*)::int FROM storage.entities) AS entities`,
    )) as { articles: number; links: number; entities: number }[];
    expect(counts).toEqual({ articles: 1_000, links: 15_000, entities: 400 });
  });

  it('a batch that fails leaves nothing behind (one transaction)', async () => {
    const good = enriched(sampleArticle(), richEnrichment());
    const bad = enriched(sampleArticle(), richEnrichment());
    // The database refuses an entity type the contract does not know; the whole batch must roll back.
    (bad.enrichment.entities as { type: string }[])[0] = {
      ...bad.enrichment.entities?.[0],
      type: 'ANIMAL',
    } as never;
    await expect(db.articles.saveEnrichedBatch([good, bad])).rejects.toThrow(/entities_type_check/);
    const dump = await db.dump();
    expect(Object.values(dump).every((rows) => rows.length === 0)).toBe(true);
  });

  it('keeps the earliest notification time; replays change nothing', async () => {
    const article = sampleArticle();
    await db.articles.saveIngestedBatch([article]);
    const later = { articleId: article.id, notifiedAt: '2022-02-23T09:00:00.000Z' };
    const earlier = { articleId: article.id, notifiedAt: '2022-02-23T08:30:00.000Z' };
    expect(await db.articles.markNotified([later])).toBe(1);
    expect(await db.articles.markNotified([earlier, later])).toBe(1);
    const notified = await db.dump({ withSystemColumns: true });
    expect(await db.articles.markNotified([later, earlier])).toBe(0);
    expect(await db.dump({ withSystemColumns: true })).toEqual(notified);
    expect((await db.articles.findById(article.id))?.notifiedAt?.toISOString()).toBe(earlier.notifiedAt);
  });

  it('keeps a notification that comes before its article, and leaves the article row alone', async () => {
    const article = sampleArticle();
    const notifiedAt = '2022-02-23T08:30:00.000Z';
    expect(await db.articles.markNotified([{ articleId: article.id, notifiedAt }])).toBe(1);
    await db.articles.saveIngestedBatch([article]);
    const stored = await db.dump({ withSystemColumns: true });

    expect((await db.articles.findById(article.id))?.notifiedAt?.toISOString()).toBe(notifiedAt);
    // A later notification changes neither table: the article row is never rewritten for one.
    expect(
      await db.articles.markNotified([{ articleId: article.id, notifiedAt: '2022-02-24T00:00:00Z' }]),
    ).toBe(0);
    expect(await db.dump({ withSystemColumns: true })).toEqual(stored);
  });
});

/** Applies every storage migration to the database at `url`, as the service does at start. */
async function migrateToLatest(url: string, applicationName: string): Promise<void> {
  const migrated = await openServiceDatabase(
    serviceDataSourceOptions({
      url,
      schema: STORAGE_SCHEMA,
      entities: [ArticleEntity],
      migrations: STORAGE_MIGRATIONS,
      poolSize: 2,
      applicationName,
    }),
    STORAGE_SCHEMA,
  );
  await migrated.destroy();
}

describe('migration of notified_at to its own table', () => {
  it('moves the notification times of stored articles and drops the column', async () => {
    const before = STORAGE_MIGRATIONS.findIndex(
      (migration) => migration === ArticleNotifications1765000000000,
    );
    const old = await openStorageTestDatabase('storage_notified_move', STORAGE_MIGRATIONS.slice(0, before));
    try {
      const [notified, silent] = [sampleArticle(), sampleArticle()];
      const insert = unnestInsert('storage.articles', INGESTED_ARTICLE_COLUMNS, [notified, silent]);
      await old.dataSource.query(insert.sql, insert.parameters);
      await old.dataSource.query(`UPDATE storage.articles SET notified_at = $2 WHERE id = $1`, [
        notified.id,
        '2022-02-23T08:30:00Z',
      ]);

      await migrateToLatest(old.url, 'newsflow-storage-notified-move');

      expect((await old.dump())['article_notifications']).toHaveLength(1);
      expect((await old.articles.findById(notified.id))?.notifiedAt?.toISOString()).toBe(
        '2022-02-23T08:30:00.000Z',
      );
      const columns = (await old.dataSource.query(
        `SELECT column_name FROM information_schema.columns
          WHERE table_schema = 'storage' AND table_name = 'articles' AND column_name = 'notified_at'`,
      )) as unknown[];
      expect(columns).toEqual([]);
      expect((await old.articles.findById(silent.id))?.notifiedAt).toBeNull();
    } finally {
      await old.close();
    }
  });
});

describe('migration of articles stored before the relational schema', () => {
  it('backfills stage columns and child rows from the stored enrichment, as the repository writes them', async () => {
    const old = await openStorageTestDatabase('storage_backfill', [CreateArticles1764100000000]);
    try {
      const { ingested, enrichedEvents } = newsDay();
      // What the previous repository wrote: the ingest columns and the enrichment as jsonb.
      for (const article of ingested) {
        const event = enrichedEvents.find((item) => item.article.id === article.id);
        await old.dataSource.query(
          `INSERT INTO storage.articles (id, content_hash, published_at, lede, paragraphs, body, word_count,
             source, parser_version, first_seen_at, ingested_at, language, language_confidence,
             reading_time_seconds, enrichment_version, enriched_at, enrichment)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
          [
            article.id,
            article.contentHash,
            `${article.publishedAt}T00:00:00Z`,
            article.lede,
            JSON.stringify(article.paragraphs),
            article.text,
            article.wordCount,
            JSON.stringify(article.source),
            article.parserVersion,
            article.firstSeenAt,
            article.ingestedAt,
            event?.enrichment.language.code ?? null,
            event?.enrichment.language.confidence ?? null,
            event?.enrichment.readingTimeSeconds ?? null,
            event?.enrichment.enrichmentVersion ?? null,
            event?.enrichment.enrichedAt ?? null,
            event ? JSON.stringify(event.enrichment) : null,
          ],
        );
      }
      await migrateToLatest(old.url, 'newsflow-storage-backfill');
      const backfilled = withoutWriteTimes(await old.dump());
      expect(backfilled['article_entities']).toHaveLength(33);

      await db.articles.saveIngestedBatch(ingested);
      await db.articles.saveEnrichedBatch(enrichedEvents);
      expect(backfilled).toEqual(withoutWriteTimes(await db.dump()));

      // Replaying the enriched topic over the backfilled rows changes nothing.
      const before = await old.dump({ withSystemColumns: true });
      const replayed = await new ArticleRepository(old.dataSource).saveEnrichedBatch(enrichedEvents);
      expect(replayed.written).toEqual([]);
      expect(await old.dump({ withSystemColumns: true })).toEqual(before);
    } finally {
      await old.close();
    }
  });
});

describe('child rows without foreign keys (ChildRowsUnchecked1765100000000)', () => {
  const CHILD_TABLES = [
    'article_entities',
    'article_keywords',
    'article_quotes',
    'article_amounts',
    'near_duplicates',
  ];

  /** Child rows per table, of one article or of all. */
  async function childRowCounts(articleId?: string): Promise<Record<string, number>> {
    const dump = await db.dump();
    return Object.fromEntries(
      CHILD_TABLES.map((table) => [
        table,
        (dump[table] ?? []).filter(
          (row) => articleId === undefined || (row as { article_id: string }).article_id === articleId,
        ).length,
      ]),
    );
  }

  it('deleting articles deletes their child rows and leaves the other articles and the entities', async () => {
    const { ingested, enrichedEvents } = newsDay();
    await db.articles.saveIngestedBatch(ingested);
    await db.articles.saveEnrichedBatch(enrichedEvents);
    const [gone, duplicate, kept] = ingested as [ArticleIngestedV1, ArticleIngestedV1, ArticleIngestedV1];
    const keptBefore = await childRowCounts(kept.id);
    const entitiesBefore = (await db.dump())['entities'];
    expect((await childRowCounts(duplicate.id))['near_duplicates']).toBe(1);

    await db.dataSource.query(`DELETE FROM storage.articles WHERE id = ANY($1)`, [[gone.id, duplicate.id]]);

    expect(Object.values(await childRowCounts(gone.id)).every((count) => count === 0)).toBe(true);
    expect(Object.values(await childRowCounts(duplicate.id)).every((count) => count === 0)).toBe(true);
    expect(await childRowCounts(kept.id)).toEqual(keptBefore);
    expect(keptBefore['article_entities']).toBe(3);
    expect((await db.dump())['entities']).toEqual(entitiesBefore);
  });

  it('truncating the articles empties the child tables', async () => {
    const { ingested, enrichedEvents } = newsDay();
    await db.articles.saveIngestedBatch(ingested);
    await db.articles.saveEnrichedBatch(enrichedEvents);
    expect((await childRowCounts())['article_keywords']).toBeGreaterThan(0);

    await db.dataSource.query(`TRUNCATE storage.articles`);

    expect(Object.values(await childRowCounts()).every((count) => count === 0)).toBe(true);
  });

  it('deleting an entity deletes its links to articles', async () => {
    const { ingested, enrichedEvents } = newsDay();
    await db.articles.saveIngestedBatch(ingested);
    await db.articles.saveEnrichedBatch(enrichedEvents);
    const putin = entityId('PERSON', 'Vladimir Putin');

    await db.dataSource.query(`DELETE FROM storage.entities WHERE id = $1`, [putin]);

    const links = (await db.dump())['article_entities'] as { entity_id: string }[];
    expect(links).toHaveLength(33 - 11);
    expect(links.some((link) => link.entity_id === putin)).toBe(false);
  });

  it('migrating down restores the foreign keys (dropping orphans) and up again removes them', async () => {
    const migrated = await openStorageTestDatabase('storage_unchecked_down');
    const foreignKeys = async () =>
      (
        (await migrated.dataSource.query(
          `SELECT conname FROM pg_constraint
            WHERE contype = 'f' AND connamespace = 'storage'::regnamespace ORDER BY conname`,
        )) as { conname: string }[]
      ).map((row) => row.conname);
    try {
      expect(await foreignKeys()).toEqual([]);
      const { ingested, enrichedEvents } = newsDay();
      await migrated.articles.saveIngestedBatch(ingested);
      await migrated.articles.saveEnrichedBatch(enrichedEvents);
      // A child row written around the repository, whose article does not exist.
      await migrated.dataSource.query(
        `INSERT INTO storage.article_keywords (article_id, position, text, score) VALUES ('nobody', 0, 'x', 1)`,
      );
      const migration = new ChildRowsUnchecked1765100000000();
      const runner = migrated.dataSource.createQueryRunner();
      try {
        await migration.down(runner);
        expect(await foreignKeys()).toEqual([
          'article_amounts_article_id_fkey',
          'article_entities_article_id_fkey',
          'article_entities_entity_id_fkey',
          'article_keywords_article_id_fkey',
          'article_quotes_article_id_fkey',
          'near_duplicates_article_id_fkey',
        ]);
        const orphans = (await migrated.dataSource.query(
          `SELECT count(*)::integer AS count FROM storage.article_keywords WHERE article_id = 'nobody'`,
        )) as { count: number }[];
        expect(orphans[0]?.count).toBe(0);
        await migration.up(runner);
      } finally {
        await runner.release();
      }
      expect(await foreignKeys()).toEqual([]);
      expect((await migrated.dump())['article_entities']).toHaveLength(33);
    } finally {
      await migrated.close();
    }
  });
});
