import { ChunkSightings } from './chunk-sightings';
import { simhashBands } from './near-duplicate.index';

const BASE = '0123456789abcdef';

/** `base` with the given bit positions (0 = most significant) flipped. */
function flip(base: string, ...bits: number[]): string {
  let value = BigInt(`0x${base}`);
  for (const bit of bits) value ^= 1n << BigInt(63 - bit);
  return value.toString(16).padStart(16, '0');
}

function sightings(maxDistance = 7) {
  const chunk = new ChunkSightings({ windowDays: 3, maxDistance });
  const resolve = (articleId: string, simhash: string, publishedAt = '2022-02-22') => {
    const input = { articleId, simhash, publishedAt };
    const bands = simhashBands(simhash);
    const nearDuplicate = chunk.earliestNearDuplicate(input, bands);
    chunk.add({ input, bands, nearDuplicate });
    return nearDuplicate;
  };
  return { chunk, resolve };
}

describe('ChunkSightings', () => {
  it('finds the first earlier article within the distance, and carries its story on', () => {
    const { resolve } = sightings();
    expect(resolve('a', BASE)).toBeUndefined();
    expect(resolve('b', flip(BASE, 0, 1, 2, 3, 4, 5, 6, 7, 8))).toBeUndefined();
    expect(resolve('c', flip(BASE, 30))).toEqual({ of: 'a', distance: 1, storyId: 'a' });
    // Nearer to c (2 bits) than to a (3 bits): a is the earlier one within the distance.
    expect(resolve('d', flip(BASE, 30, 40, 50))).toEqual({ of: 'a', distance: 3, storyId: 'a' });
  });

  it('finds a hash 7 bits away that shares a single band', () => {
    const { resolve } = sightings();
    resolve('a', BASE);
    expect(resolve('b', flip(BASE, 0, 9, 18, 27, 36, 45, 54))).toEqual({
      of: 'a',
      distance: 7,
      storyId: 'a',
    });
  });

  it('keeps to the distance and the publication window', () => {
    const { resolve } = sightings(2);
    resolve('a', BASE, '2022-02-22');
    expect(resolve('far', flip(BASE, 1, 2, 3))).toBeUndefined();
    expect(resolve('late', BASE, '2022-02-26')).toBeUndefined();
    expect(resolve('inside', BASE, '2022-02-25')).toEqual({ of: 'a', distance: 0, storyId: 'a' });
  });

  it('names the story of the earlier article when that one was a near-duplicate itself', () => {
    const { chunk } = sightings();
    const input = { articleId: 'b', simhash: BASE, publishedAt: '2022-02-22' };
    chunk.add({ input, bands: simhashBands(BASE), nearDuplicate: { of: 'a', distance: 2, storyId: 'a' } });
    const next = { articleId: 'c', simhash: flip(BASE, 63), publishedAt: '2022-02-22' };
    expect(chunk.earliestNearDuplicate(next, simhashBands(next.simhash))).toEqual({
      of: 'b',
      distance: 1,
      storyId: 'a',
    });
    expect(chunk.get('b')?.input).toBe(input);
    expect(chunk.get('c')).toBeUndefined();
  });
});
