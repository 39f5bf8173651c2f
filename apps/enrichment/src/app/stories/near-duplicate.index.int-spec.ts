/**
 * NearDuplicateIndex and KeyphraseFrequencyStore against a real Postgres (DATABASE_URL): the suite
 * creates its own database `<database of DATABASE_URL>_enrichment_<random>`, dropped in afterAll.
 */
import { type DataSource } from 'typeorm';

import { ensureDatabaseExists, openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';
import { scratchDatabase } from '@newsflow/database/testing';

import { ENRICHMENT_SCHEMA } from '../enrichment.config';
import { KeyphraseFrequencyStore } from '../keyphrases/keyphrase-frequency.store';
import { ENRICHMENT_MIGRATIONS } from '../migrations';
import { NearDuplicateIndex } from './near-duplicate.index';

const { name: DATABASE, urlFor, admin } = scratchDatabase('enrichment');

let dataSource: DataSource;
let index: NearDuplicateIndex;

beforeAll(async () => {
  const url = urlFor(DATABASE);
  await ensureDatabaseExists(url);
  dataSource = await openServiceDatabase(
    serviceDataSourceOptions({
      url,
      schema: ENRICHMENT_SCHEMA,
      entities: [],
      migrations: ENRICHMENT_MIGRATIONS,
      poolSize: 5,
      applicationName: 'newsflow-enrichment-int-spec',
    }),
    ENRICHMENT_SCHEMA,
  );
  index = new NearDuplicateIndex(dataSource, { windowDays: 3, maxDistance: 3 });
});

afterAll(async () => {
  await dataSource?.destroy();
  await admin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
});

beforeEach(async () => {
  await dataSource.query(
    'TRUNCATE enrichment.fingerprints, enrichment.keyphrase_frequencies; UPDATE enrichment.keyphrase_corpus SET documents = 0',
  );
});

const id = (n: number): string => n.toString(16).padStart(32, '0');

/** `base` with the given bit positions (0 = most significant) flipped. */
function flip(base: string, ...bits: number[]): string {
  let value = BigInt(`0x${base}`);
  for (const bit of bits) value ^= 1n << BigInt(63 - bit);
  return value.toString(16).padStart(16, '0');
}

const BASE = '0123456789abcdef';

describe('NearDuplicateIndex', () => {
  it('links a near-duplicate to the earliest article of its story, across a chain', async () => {
    const first = await index.resolve({ articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' });
    expect(first).toEqual({ nearDuplicate: undefined, firstSighting: true });

    // Two bits from the first, in different bands.
    const second = await index.resolve({
      articleId: id(2),
      simhash: flip(BASE, 1, 40),
      publishedAt: '2022-02-23',
    });
    expect(second).toEqual({
      nearDuplicate: { of: id(1), distance: 2, storyId: id(1) },
      firstSighting: true,
    });

    // Five bits from the first, three from the second: a near-duplicate of the second, same story.
    const third = await index.resolve({
      articleId: id(3),
      simhash: flip(BASE, 1, 40, 20, 21, 22),
      publishedAt: '2022-02-24',
    });
    expect(third).toEqual({
      nearDuplicate: { of: id(2), distance: 3, storyId: id(1) },
      firstSighting: true,
    });
  });

  it('ignores articles farther than the distance, even when a band matches exactly', async () => {
    await index.resolve({ articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' });
    const far = await index.resolve({
      articleId: id(2),
      simhash: flip(BASE, 0, 1, 2, 3),
      publishedAt: '2022-02-22',
    });
    expect(far.nearDuplicate).toBeUndefined();
  });

  it('finds a hash 7 bits away when only one of the eight bands matches', async () => {
    const wide = new NearDuplicateIndex(dataSource, { windowDays: 3, maxDistance: 7 });
    await wide.resolve({ articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' });
    const result = await wide.resolve({
      articleId: id(2),
      simhash: flip(BASE, 0, 9, 18, 27, 36, 45, 54),
      publishedAt: '2022-02-22',
    });
    expect(result.nearDuplicate).toEqual({ of: id(1), distance: 7, storyId: id(1) });
    const eightBands = await wide.resolve({
      articleId: id(3),
      simhash: flip(BASE, 0, 9, 18, 27, 36, 45, 54, 63),
      publishedAt: '2022-02-22',
    });
    expect(eightBands.nearDuplicate?.of).toBe(id(2));
  });

  it('only looks within the publication window', async () => {
    await index.resolve({ articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' });
    const inside = await index.resolve({ articleId: id(2), simhash: BASE, publishedAt: '2022-02-25' });
    const outside = await index.resolve({ articleId: id(3), simhash: BASE, publishedAt: '2022-02-26' });
    expect(inside.nearDuplicate?.of).toBe(id(1));
    expect(outside.nearDuplicate?.of).toBe(id(2));
    // The third is 4 days after the first: only the second (1 day before) is in its window.
  });

  it('answers a replay as it did the first time, and says it is not a first sighting', async () => {
    await index.resolve({ articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' });
    const input = { articleId: id(2), simhash: flip(BASE, 63), publishedAt: '2022-02-22' };
    const first = await index.resolve(input);
    const replay = await index.resolve(input);
    expect(first.firstSighting).toBe(true);
    expect(replay).toEqual({ nearDuplicate: first.nearDuplicate, firstSighting: false });

    const original = await index.resolve({ articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' });
    expect(original).toEqual({ nearDuplicate: undefined, firstSighting: false });
  });

  it('counts one first sighting when two consumers see the same article at once', async () => {
    const input = { articleId: id(7), simhash: BASE, publishedAt: '2022-02-22' };
    const results = await Promise.all([index.resolve(input), index.resolve(input), index.resolve(input)]);
    expect(results.filter((r) => r.firstSighting)).toHaveLength(1);
    const [{ count }] = await dataSource.query(`SELECT count(*)::int AS count FROM enrichment.fingerprints`);
    expect(count).toBe(1);
  });

  describe('resolveMany (a chunk)', () => {
    it('answers as one call per article in order: a later article duplicates an earlier one of the chunk', async () => {
      const results = await index.resolveMany([
        { articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' },
        { articleId: id(2), simhash: 'fedcba9876543210', publishedAt: '2022-02-22' },
        { articleId: id(3), simhash: flip(BASE, 1, 40), publishedAt: '2022-02-23' },
        // Within 3 bits of the third only (5 of the first): same story, the third is its nearest earlier.
        { articleId: id(4), simhash: flip(BASE, 1, 40, 20, 21, 22), publishedAt: '2022-02-24' },
        // Outside the publication window of the first (4 days) but inside the third's.
        { articleId: id(5), simhash: BASE, publishedAt: '2022-02-26' },
      ]);
      expect(results).toEqual([
        { nearDuplicate: undefined, firstSighting: true },
        { nearDuplicate: undefined, firstSighting: true },
        { nearDuplicate: { of: id(1), distance: 2, storyId: id(1) }, firstSighting: true },
        { nearDuplicate: { of: id(3), distance: 3, storyId: id(1) }, firstSighting: true },
        { nearDuplicate: { of: id(3), distance: 2, storyId: id(1) }, firstSighting: true },
      ]);
      // Stored in offset order, so a later call sees the chunk's first article as the earliest.
      const rows: { article_id: string }[] = await dataSource.query(
        `SELECT article_id FROM enrichment.fingerprints ORDER BY seq`,
      );
      expect(rows.map((row) => row.article_id)).toEqual([id(1), id(2), id(3), id(4), id(5)]);
      const later = await index.resolve({
        articleId: id(6),
        simhash: flip(BASE, 63),
        publishedAt: '2022-02-22',
      });
      expect(later.nearDuplicate).toEqual({ of: id(1), distance: 1, storyId: id(1) });
    });

    it('prefers an article stored before the chunk to an earlier one of the chunk', async () => {
      await index.resolve({ articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' });
      const [, second] = await index.resolveMany([
        { articleId: id(2), simhash: flip(BASE, 3), publishedAt: '2022-02-22' },
        { articleId: id(3), simhash: flip(BASE, 3, 4), publishedAt: '2022-02-22' },
      ]);
      expect(second).toEqual({
        nearDuplicate: { of: id(1), distance: 2, storyId: id(1) },
        firstSighting: true,
      });
    });

    it('counts a replayed article, or one given twice in the chunk, as seen before', async () => {
      const first = await index.resolve({ articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' });
      const results = await index.resolveMany([
        { articleId: id(2), simhash: flip(BASE, 9), publishedAt: '2022-02-22' },
        { articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' },
        { articleId: id(2), simhash: flip(BASE, 9), publishedAt: '2022-02-22' },
      ]);
      expect(first.firstSighting).toBe(true);
      expect(results).toEqual([
        { nearDuplicate: { of: id(1), distance: 1, storyId: id(1) }, firstSighting: true },
        { nearDuplicate: undefined, firstSighting: false },
        { nearDuplicate: { of: id(1), distance: 1, storyId: id(1) }, firstSighting: false },
      ]);
      const [{ count }] = await dataSource.query(
        `SELECT count(*)::int AS count FROM enrichment.fingerprints`,
      );
      expect(count).toBe(2);
    });

    it('counts each article once when two consumers resolve overlapping chunks at once', async () => {
      const chunk = [1, 2, 3, 4].map((n) => ({
        articleId: id(n),
        simhash: flip(BASE, n * 10),
        publishedAt: '2022-02-22',
      }));
      const [a, b] = await Promise.all([index.resolveMany(chunk), index.resolveMany(chunk)]);
      const firstSightings = [...(a ?? []), ...(b ?? [])].filter((result) => result.firstSighting);
      expect(firstSightings).toHaveLength(4);
      const [{ count }] = await dataSource.query(
        `SELECT count(*)::int AS count FROM enrichment.fingerprints`,
      );
      expect(count).toBe(4);
    });
  });

  it('forgets fingerprints older than the retention', async () => {
    await index.resolve({ articleId: id(1), simhash: BASE, publishedAt: '2022-02-22' });
    await dataSource.query(
      `UPDATE enrichment.fingerprints SET first_seen_at = now() - interval '100 days' WHERE article_id = $1`,
      [id(1)],
    );
    await index.resolve({ articleId: id(2), simhash: flip(BASE, 5), publishedAt: '2022-02-22' });
    expect(await index.purgeSeenBefore(new Date(Date.now() - 90 * 86_400_000))).toBe(1);
    const rows: { article_id: string }[] = await dataSource.query(
      `SELECT article_id FROM enrichment.fingerprints`,
    );
    expect(rows.map((r) => r.article_id)).toEqual([id(2)]);
  });
});

describe('KeyphraseFrequencyStore', () => {
  it('adds the counts of every instance in Postgres and reloads them', async () => {
    const a = new KeyphraseFrequencyStore(dataSource, { capacity: 1000 });
    const b = new KeyphraseFrequencyStore(dataSource, { capacity: 1000 });
    a.observe(['central bank', 'interest rates', 'central bank']);
    a.observe(['central bank']);
    b.observe(['central bank', 'oil price']);
    await Promise.all([a.flush(), b.flush()]);
    expect(a.pendingDocuments).toBe(0);

    const fresh = new KeyphraseFrequencyStore(dataSource, { capacity: 1000 });
    await fresh.reload();
    expect(fresh.frequencies.documents).toBe(3);
    expect(Object.fromEntries(fresh.frequencies.counts)).toEqual({
      'central bank': 3,
      'interest rates': 1,
      'oil price': 1,
    });
    // A flush with nothing new changes nothing.
    await a.flush();
    await fresh.reload();
    expect(fresh.frequencies.documents).toBe(3);
  });

  it('keeps unflushed counts over a reload and a failed flush', async () => {
    const store = new KeyphraseFrequencyStore(dataSource, { capacity: 1000 });
    store.observe(['gas pipeline']);
    await store.reload();
    expect(store.frequencies.counts.get('gas pipeline')).toBe(1);
    expect(store.frequencies.documents).toBe(1);

    await dataSource.query(`ALTER TABLE enrichment.keyphrase_frequencies RENAME TO kf_away`);
    try {
      await expect(store.flush()).rejects.toThrow(/keyphrase_frequencies/);
    } finally {
      await dataSource.query(`ALTER TABLE enrichment.kf_away RENAME TO keyphrase_frequencies`);
    }
    expect(store.pendingDocuments).toBe(1);
    await store.flush();
    const rows: { phrase: string; documents: string }[] = await dataSource.query(
      `SELECT phrase, documents::text AS documents FROM enrichment.keyphrase_frequencies`,
    );
    expect(rows).toEqual([{ phrase: 'gas pipeline', documents: '1' }]);
  });

  it('holds one-off phrases back until a second sighting, or writes them when Postgres counts them already', async () => {
    const a = new KeyphraseFrequencyStore(dataSource, { capacity: 1000 });
    a.observe(['central bank', 'oil price']);
    a.observe(['central bank']);
    await a.flush({ holdOneOffs: true });
    expect(await storedCounts()).toEqual({ 'central bank': 2 });
    expect(await storedDocuments()).toBe(2);
    // Counted here at once, all the same.
    expect(a.frequencies.counts.get('oil price')).toBe(1);

    a.observe(['oil price', 'gas pipeline']);
    await a.flush({ holdOneOffs: true });
    expect(await storedCounts()).toEqual({ 'central bank': 2, 'oil price': 2 });

    // Another instance that loaded the shared counts writes a phrase Postgres knows at its first sighting.
    const b = new KeyphraseFrequencyStore(dataSource, { capacity: 1000 });
    await b.reload();
    b.observe(['central bank', 'wheat harvest']);
    await b.flush({ holdOneOffs: true });
    expect(await storedCounts()).toEqual({ 'central bank': 3, 'oil price': 2 });
    expect(await storedDocuments()).toBe(4);

    // The flush at shutdown writes what is held.
    await Promise.all([a.flush(), b.flush()]);
    expect(await storedCounts()).toEqual({
      'central bank': 3,
      'oil price': 2,
      'gas pipeline': 1,
      'wheat harvest': 1,
    });
    expect(await storedDocuments()).toBe(4);
  });

  it('drops the oldest held one-offs past maxHeld from the shared counts, not from its own', async () => {
    const store = new KeyphraseFrequencyStore(dataSource, { capacity: 1000, maxHeld: 2 });
    for (const phrase of ['first', 'second', 'third']) store.observe([phrase]);
    await store.flush({ holdOneOffs: true });
    expect(await storedCounts()).toEqual({});
    store.observe(['second']);
    await store.flush();
    expect(await storedCounts()).toEqual({ second: 2, third: 1 });
    expect(store.frequencies.counts.get('first')).toBe(1);
    expect(await storedDocuments()).toBe(4);
  });

  it('keeps the most frequent phrases when memory is full', async () => {
    const store = new KeyphraseFrequencyStore(dataSource, { capacity: 4 });
    for (let i = 0; i < 3; i++) store.observe(['common phrase']);
    for (let i = 0; i < 10; i++) store.observe([`rare phrase ${i}`]);
    expect(store.frequencies.counts.size).toBeLessThanOrEqual(5);
    expect(store.frequencies.counts.get('common phrase')).toBe(3);
    expect(store.frequencies.documents).toBe(13);
  });
});

async function storedCounts(): Promise<Record<string, number>> {
  const rows: { phrase: string; documents: string }[] = await dataSource.query(
    `SELECT phrase, documents::text AS documents FROM enrichment.keyphrase_frequencies`,
  );
  return Object.fromEntries(rows.map((row) => [row.phrase, Number(row.documents)]));
}

async function storedDocuments(): Promise<number> {
  const [corpus]: { documents: string }[] = await dataSource.query(
    `SELECT documents::text AS documents FROM enrichment.keyphrase_corpus`,
  );
  return Number(corpus?.documents);
}
