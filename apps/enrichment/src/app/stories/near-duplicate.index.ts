import { type DataSource } from 'typeorm';

import { type NearDuplicate } from '@newsflow/contracts';
import { hammingDistance } from '@newsflow/enrichment';

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

/** `bands[1] = $2 OR ... OR bands[8] = $9`, each served by its own expression index. */
const BAND_MATCH = Array.from({ length: 8 }, (_, band) => `bands[${band + 1}] = $${band + 2}::smallint`).join(
  ' OR ',
);

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
    const bands = simhashBands(input.simhash);
    // One round trip finds both the article's own row (a replay) and its candidates: the band indexes
    // narrow the window to hashes sharing a band, Postgres counts the differing bits of those.
    const rows: FingerprintRow[] = await this.dataSource.query(
      `SELECT article_id, seq::text AS seq, simhash, story_id, near_duplicate_of, distance
         FROM enrichment.fingerprints
        WHERE article_id = $1
           OR ((${BAND_MATCH})
               AND published_on BETWEEN $10::date - $11::int AND $10::date + $11::int
               AND bit_count(('x' || simhash)::bit(64) # ('x' || $12)::bit(64)) <= $13)`,
      [
        input.articleId,
        ...bands,
        input.publishedAt,
        this.settings.windowDays,
        input.simhash,
        this.settings.maxDistance,
      ],
    );
    const own = rows.find((row) => row.article_id === input.articleId);
    if (own) return { nearDuplicate: storedAnswer(own), firstSighting: false };

    const nearDuplicate = earliestNearDuplicate(input.simhash, rows, this.settings.maxDistance);
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO enrichment.fingerprints
         (article_id, simhash, bands, published_on, near_duplicate_of, distance, story_id)
       VALUES ($1, $2, $3::smallint[], $4, $5, $6, $7)
       ON CONFLICT (article_id) DO NOTHING
       RETURNING seq`,
      [
        input.articleId,
        input.simhash,
        bands,
        input.publishedAt,
        nearDuplicate?.of ?? null,
        nearDuplicate?.distance ?? null,
        nearDuplicate?.storyId ?? input.articleId,
      ],
    );
    if (inserted.length > 0) return { nearDuplicate, firstSighting: true };

    // Another consumer fingerprinted the same article between the lookup and the insert: its answer wins.
    const [stored]: FingerprintRow[] = await this.dataSource.query(
      `SELECT article_id, seq::text AS seq, simhash, story_id, near_duplicate_of, distance
         FROM enrichment.fingerprints WHERE article_id = $1`,
      [input.articleId],
    );
    return { nearDuplicate: stored && storedAnswer(stored), firstSighting: false };
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
