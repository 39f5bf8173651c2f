/**
 * Near-duplicate stories of the generated corpus, decided as the enrichment service decides them
 * (apps/enrichment/src/app/stories/near-duplicate.index.ts, with its default settings): the earliest
 * article seen, published within 3 days, whose SimHash differs in at most 6 bits. The service keeps
 * fingerprints in Postgres; one process enriching the corpus in order can keep them in memory, found
 * by the same eight 8-bit bands (any hash within 7 bits shares one band exactly).
 */
import { type NearDuplicate } from '@newsflow/contracts';
import { hammingDistance } from '@newsflow/enrichment';

/** The service's defaults, ENRICH_DUPLICATE_WINDOW_DAYS and ENRICH_DUPLICATE_MAX_DISTANCE. */
export const WINDOW_DAYS = 3;
export const MAX_DISTANCE = 6;

const DAY_MS = 86_400_000;

interface Fingerprint {
  id: string;
  simhash: string;
  day: number;
  storyId: string;
  /** Order of arrival: the earliest candidate wins. */
  seq: number;
}

export class NearDuplicateFinder {
  /** `band:value` → fingerprints with that byte in that band. */
  private readonly byBand = new Map<string, Fingerprint[]>();
  private seq = 0;

  /** Remembers the article and returns its near-duplicate link, if it joins an earlier story. */
  place(article: { id: string; simhash: string; publishedAt: string }): NearDuplicate | undefined {
    const day = Math.floor(Date.parse(`${article.publishedAt}T00:00:00Z`) / DAY_MS);
    const keys = bandKeys(article.simhash);
    let best: { fingerprint: Fingerprint; distance: number } | undefined;
    for (const key of keys) {
      for (const candidate of this.byBand.get(key) ?? []) {
        if (Math.abs(candidate.day - day) > WINDOW_DAYS) continue;
        if (best && candidate.seq >= best.fingerprint.seq) continue;
        const distance = hammingDistance(article.simhash, candidate.simhash);
        if (distance <= MAX_DISTANCE) best = { fingerprint: candidate, distance };
      }
    }
    const fingerprint: Fingerprint = {
      id: article.id,
      simhash: article.simhash,
      day,
      storyId: best?.fingerprint.storyId ?? article.id,
      seq: this.seq++,
    };
    for (const key of keys) {
      const list = this.byBand.get(key);
      if (list) list.push(fingerprint);
      else this.byBand.set(key, [fingerprint]);
    }
    return best && { of: best.fingerprint.id, distance: best.distance, storyId: best.fingerprint.storyId };
  }
}

/** Eight 8-bit bands of a 16-hex-character SimHash, as `band:byte` keys. */
export function bandKeys(simhash: string): string[] {
  return Array.from({ length: 8 }, (_, band) => `${band}:${simhash.slice(band * 2, band * 2 + 2)}`);
}
