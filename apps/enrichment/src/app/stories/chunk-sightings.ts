import { type NearDuplicate } from '@newsflow/contracts';
import { hammingDistance } from '@newsflow/enrichment';

import { type NearDuplicateSettings, type StoryLookupInput } from './near-duplicate.index';

const DAY_MS = 86_400_000;

export interface Sighting {
  readonly input: StoryLookupInput;
  /** The eight 8-bit bands of its SimHash. */
  readonly bands: readonly number[];
  readonly nearDuplicate: NearDuplicate | undefined;
}

/**
 * The first sightings of one chunk so far, in offset order, indexed by band as the table is: an article
 * is compared only with those sharing one of its eight bands (any hash within 7 bits does), not with
 * every earlier article of the chunk.
 */
export class ChunkSightings {
  readonly all: Sighting[] = [];
  private readonly byArticle = new Map<string, Sighting>();
  /** `band * 256 + value` → positions in `all`, ascending. */
  private readonly byBand = new Map<number, number[]>();
  private readonly days: number[] = [];

  constructor(private readonly settings: NearDuplicateSettings) {}

  get(articleId: string): Sighting | undefined {
    return this.byArticle.get(articleId);
  }

  add(sighting: Sighting): void {
    const position = this.all.length;
    this.all.push(sighting);
    this.days.push(Date.parse(sighting.input.publishedAt) / DAY_MS);
    this.byArticle.set(sighting.input.articleId, sighting);
    sighting.bands.forEach((value, band) => {
      const key = band * 256 + value;
      const positions = this.byBand.get(key);
      if (positions) positions.push(position);
      else this.byBand.set(key, [position]);
    });
  }

  /** The first earlier sighting within the distance and the publication window, as the table's lookup. */
  earliestNearDuplicate(input: StoryLookupInput, bands: readonly number[]): NearDuplicate | undefined {
    const candidates = new Set<number>();
    bands.forEach((value, band) => {
      for (const position of this.byBand.get(band * 256 + value) ?? []) candidates.add(position);
    });
    if (candidates.size === 0) return undefined;
    const day = Date.parse(input.publishedAt) / DAY_MS;
    for (const position of [...candidates].sort((a, b) => a - b)) {
      const earlier = this.all[position] as Sighting;
      if (Math.abs(day - (this.days[position] as number)) > this.settings.windowDays) continue;
      const distance = hammingDistance(input.simhash, earlier.input.simhash);
      if (distance > this.settings.maxDistance) continue;
      return {
        of: earlier.input.articleId,
        distance,
        storyId: earlier.nearDuplicate?.storyId ?? earlier.input.articleId,
      };
    }
    return undefined;
  }
}
