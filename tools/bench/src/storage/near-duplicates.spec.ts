import { NearDuplicateFinder, bandKeys } from './near-duplicates';

/** A SimHash differing from `hash` in the lowest `bits` bits. */
function flip(hash: string, bits: number): string {
  return (BigInt(`0x${hash}`) ^ ((1n << BigInt(bits)) - 1n)).toString(16).padStart(16, '0');
}

const HASH = '0123456789abcdef';

describe('NearDuplicateFinder', () => {
  it('links an article to the earliest one within 6 bits and 3 days, in its story', () => {
    const finder = new NearDuplicateFinder();
    expect(finder.place({ id: 'first', simhash: HASH, publishedAt: '1987-03-01' })).toBeUndefined();
    expect(finder.place({ id: 'second', simhash: flip(HASH, 2), publishedAt: '1987-03-02' })).toEqual({
      of: 'first',
      distance: 2,
      storyId: 'first',
    });
    // Closer to "second" than to "first", but "first" is the earliest within reach.
    expect(finder.place({ id: 'third', simhash: flip(HASH, 3), publishedAt: '1987-03-04' })).toEqual({
      of: 'first',
      distance: 3,
      storyId: 'first',
    });
  });

  it('starts a new story beyond 6 bits or 3 days', () => {
    const finder = new NearDuplicateFinder();
    finder.place({ id: 'first', simhash: HASH, publishedAt: '1987-03-01' });
    expect(finder.place({ id: 'far', simhash: flip(HASH, 7), publishedAt: '1987-03-01' })).toBeUndefined();
    expect(finder.place({ id: 'late', simhash: HASH, publishedAt: '1987-03-05' })).toBeUndefined();
  });

  it('carries the story of the article it joins', () => {
    const finder = new NearDuplicateFinder();
    finder.place({ id: 'root', simhash: HASH, publishedAt: '1987-03-01' });
    finder.place({ id: 'copy', simhash: flip(HASH, 5), publishedAt: '1987-03-03' });
    // Out of the root's window, within the copy's: joins the copy's story, whose first article is the root.
    expect(finder.place({ id: 'later', simhash: flip(HASH, 6), publishedAt: '1987-03-06' })).toEqual({
      of: 'copy',
      distance: 1,
      storyId: 'root',
    });
  });
});

describe('bandKeys', () => {
  it('cuts a SimHash into eight one-byte bands', () => {
    expect(bandKeys(HASH)).toEqual(['0:01', '1:23', '2:45', '3:67', '4:89', '5:ab', '6:cd', '7:ef']);
  });
});
