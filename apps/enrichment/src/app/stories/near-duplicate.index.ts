import { type DataSource } from 'typeorm';

import { type NearDuplicate } from '@newsflow/contracts';
import { hammingDistance } from '@newsflow/enrichment';

import { ChunkSightings } from './chunk-sightings';

export interface StoryLookupInput {
  readonly articleId: string;
  /** 16 hex characters (the enrichment's `simhash`). */
  readonly simhash: string;
  /** YYYY-MM-DD. */
  readonly publishedAt: string;
}

export interface StoryLookupResult {
  /** Absent when the article is the first of its story. */
  readonly nearDuplicate?: NearDuplicate;
  /**
   * False when the article had been fingerprinted before (a replay, a redelivery after a crash): the
   * stored answer is returned unchanged and stream statistics must not count the article again.
   */
  readonly firstSighting: boolean;
}

export interface NearDuplicateSettings {
  readonly windowDays: number;
  /** 0 to 7: eight bands guarantee that a hash within 7 bits matches one band exactly. */
  readonly maxDistance: number;
}

/** `f.bands[1] = i.b1 OR ... OR f.bands[8] = i.b8`, each served by its own expression index. */
const BAND_MATCH = Array.from({ length: 8 }, (_, band) => `f.bands[${band + 1}] = i.b${band + 1}`).join(
  ' OR ',
);
const BAND_COLUMNS = Array.from({ length: 8 }, (_, band) => `b${band + 1}`).join(', ');
const BAND_PARAMETERS = Array.from({ length: 8 }, (_, band) => `$${band + 4}::smallint[]`).join(', ');

/**
 * For every input (its ordinal in `ord`), its own row if it was fingerprinted before (a replay) and the
 * stored hashes within the distance and the publication window. One round trip for a whole chunk: the
 * lateral lookup runs once per input, each through the band indexes.
 */
const LOOKUP = `
  SELECT i.ord::int AS ord, f.article_id, f.seq::text AS seq, f.simhash, f.story_id, f.near_duplicate_of, f.distance
    FROM unnest($1::text[], $2::text[], $3::date[], ${BAND_PARAMETERS})
         WITH ORDINALITY AS i(article_id, simhash, published_on, ${BAND_COLUMNS}, ord)
   CROSS JOIN LATERAL (
     SELECT f.* FROM enrichment.fingerprints f
      WHERE f.article_id = i.article_id
         OR ((${BAND_MATCH})
             AND f.published_on BETWEEN i.published_on - $12::int AND i.published_on + $12::int
             AND bit_count(('x' || f.simhash)::bit(64) # ('x' || i.simhash)::bit(64)) <= $13)
   ) f`;

/** Rows are inserted in offset order, so `seq` orders a chunk's first sightings as it orders the stream. */
const INSERT = `
  INSERT INTO enrichment.fingerprints
    (article_id, simhash, bands, published_on, near_duplicate_of, distance, story_id)
  SELECT article_id, simhash, bands::smallint[], published_on, near_duplicate_of, distance, story_id
    FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::text[], $6::smallint[], $7::text[])
         WITH ORDINALITY AS i(article_id, simhash, bands, published_on, near_duplicate_of, distance, story_id, ord)
   ORDER BY ord
  ON CONFLICT (article_id) DO NOTHING
  RETURNING article_id`;

interface FingerprintRow {
  article_id: string;
  seq: string;
  simhash: string;
  story_id: string;
  near_duplicate_of: string | null;
  distance: number | null;
}

/** Eight 8-bit bands of a 64-bit SimHash (16 hex characters), as integers 0-255. */
export function simhashBands(simhash: string): number[] {
  return Array.from({ length: 8 }, (_, band) => parseInt(simhash.slice(band * 2, band * 2 + 2), 16));
}

/**
 * Chooses the story an article belongs to among the candidates found by the band lookup: the earliest
 * seen (lowest `seq`) whose SimHash is within `maxDistance` bits. Pure, for the tests.
 */
export function earliestNearDuplicate(
  simhash: string,
  candidates: readonly Pick<FingerprintRow, 'article_id' | 'seq' | 'simhash' | 'story_id'>[],
  maxDistance: number,
): NearDuplicate | undefined {
  let best: { row: (typeof candidates)[number]; distance: number } | undefined;
  for (const row of candidates) {
    const distance = hammingDistance(simhash, row.simhash);
    if (distance > maxDistance) continue;
    if (!best || BigInt(row.seq) < BigInt(best.row.seq)) best = { row, distance };
  }
  return best && { of: best.row.article_id, distance: best.distance, storyId: best.row.story_id };
}

/**
 * Near-duplicate lookup over the articles enriched so far, shared by every instance through Postgres
 * (schema `enrichment`). Articles of one story land on different partitions (the key is the article id),
 * so no instance could answer from memory alone.
 *
 * Two near-duplicates enriched at the same moment on two instances may both miss each other (neither
 * row is visible to the other's lookup yet) and start two stories; the window of that race is one
 * round trip.
 */
export class NearDuplicateIndex {
  constructor(
    private readonly dataSource: DataSource,
    private readonly settings: NearDuplicateSettings,
  ) {}

  async resolve(input: StoryLookupInput): Promise<StoryLookupResult> {
    const [result] = await this.resolveMany([input]);
    return result as StoryLookupResult;
  }

  /**
   * Places several articles in their stories, as if resolved one after the other in the given order
   * (a chunk's offset order): an article may be the near-duplicate of an earlier one of the same call,
   * and an article given twice is a first sighting only the first time. Two round trips whatever the
   * number of articles (one lookup, one insert), a third only when another consumer fingerprinted one
   * of them in between.
   */
  async resolveMany(inputs: readonly StoryLookupInput[]): Promise<StoryLookupResult[]> {
    if (inputs.length === 0) return [];
    const bands = inputs.map((input) => simhashBands(input.simhash));
    const rows: (FingerprintRow & { ord: number })[] = await this.dataSource.query(LOOKUP, [
      inputs.map((input) => input.articleId),
      inputs.map((input) => input.simhash),
      inputs.map((input) => input.publishedAt),
      ...Array.from({ length: 8 }, (_, band) => bands.map((bytes) => bytes[band])),
      this.settings.windowDays,
      this.settings.maxDistance,
    ]);
    const stored: FingerprintRow[][] = inputs.map(() => []);
    for (const row of rows) stored[row.ord - 1]?.push(row);

    const results: StoryLookupResult[] = [];
    /** The call's first sightings so far, in order: candidates for the articles after them. */
    const chunk = new ChunkSightings(this.settings);
    inputs.forEach((input, index) => {
      const own = stored[index]?.find((row) => row.article_id === input.articleId);
      if (own) {
        results.push({ nearDuplicate: storedAnswer(own), firstSighting: false });
        return;
      }
      const earlier = chunk.get(input.articleId);
      if (earlier) {
        results.push({ nearDuplicate: earlier.nearDuplicate, firstSighting: false });
        return;
      }
      // Stored candidates were all seen before this call's articles: the earliest of them wins.
      const inputBands = bands[index] ?? [];
      const nearDuplicate =
        earliestNearDuplicate(input.simhash, stored[index] ?? [], this.settings.maxDistance) ??
        chunk.earliestNearDuplicate(input, inputBands);
      chunk.add({ input, bands: inputBands, nearDuplicate });
      results.push({ nearDuplicate, firstSighting: true });
    });
    const sightings = chunk.all;
    if (sightings.length === 0) return results;

    const inserted: { article_id: string }[] = await this.dataSource.query(INSERT, [
      sightings.map((s) => s.input.articleId),
      sightings.map((s) => s.input.simhash),
      sightings.map((s) => `{${s.bands.join(',')}}`),
      sightings.map((s) => s.input.publishedAt),
      sightings.map((s) => s.nearDuplicate?.of ?? null),
      sightings.map((s) => s.nearDuplicate?.distance ?? null),
      sightings.map((s) => s.nearDuplicate?.storyId ?? s.input.articleId),
    ]);
    if (inserted.length === sightings.length) return results;

    // Another consumer fingerprinted some of them between the lookup and the insert: its answer wins.
    const ours = new Set(inserted.map((row) => row.article_id));
    // (An article of this call found near it keeps the answer computed here: the race of two instances
    // the class comment describes, one round trip wide.)
    const theirs = new Set(
      sightings.map((s) => s.input.articleId).filter((articleId) => !ours.has(articleId)),
    );
    const storedRows: FingerprintRow[] = await this.dataSource.query(
      `SELECT article_id, seq::text AS seq, simhash, story_id, near_duplicate_of, distance
         FROM enrichment.fingerprints WHERE article_id = ANY($1::text[])`,
      [[...theirs]],
    );
    const storedById = new Map(storedRows.map((row) => [row.article_id, row]));
    return results.map((result, index) => {
      const articleId = inputs[index]?.articleId ?? '';
      if (!theirs.has(articleId)) return result;
      const row = storedById.get(articleId);
      return { nearDuplicate: row && storedAnswer(row), firstSighting: false };
    });
  }

  /** Forgets fingerprints first seen before `before`; returns how many. */
  async purgeSeenBefore(before: Date): Promise<number> {
    const [, count]: [unknown, number] = await this.dataSource.query(
      `DELETE FROM enrichment.fingerprints WHERE first_seen_at < $1`,
      [before],
    );
    return count;
  }
}

function storedAnswer(row: FingerprintRow): NearDuplicate | undefined {
  if (row.near_duplicate_of === null || row.distance === null) return undefined;
  return { of: row.near_duplicate_of, distance: row.distance, storyId: row.story_id };
}
