import { chunksOf, offsetAfter } from './chunks';

describe('chunksOf', () => {
  it('cuts items into consecutive chunks of at most `size`, keeping their order', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([1, 2, 3, 4], 2)).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(chunksOf([1, 2, 3], 10)).toEqual([[1, 2, 3]]);
    expect(chunksOf([1, 2, 3], 1)).toEqual([[1], [2], [3]]);
  });

  it('gives no chunk for no items', () => {
    expect(chunksOf([], 3)).toEqual([]);
  });

  it('loses and duplicates nothing, for any size', () => {
    const items = Array.from({ length: 37 }, (_, index) => index);
    for (let size = 1; size <= 40; size++) {
      const chunks = chunksOf(items, size);
      expect(chunks.flat()).toEqual(items);
      expect(chunks.every((chunk) => chunk.length >= 1 && chunk.length <= size)).toBe(true);
      expect(chunks).toHaveLength(Math.ceil(items.length / size));
    }
  });

  it('refuses a size that is not a positive integer', () => {
    for (const size of [0, -1, 1.5, Number.NaN]) {
      expect(() => chunksOf([1], size)).toThrow(RangeError);
    }
  });
});

describe('offsetAfter', () => {
  it('is the next offset, the one Kafka expects as committed', () => {
    expect(offsetAfter('0')).toBe('1');
    expect(offsetAfter('41')).toBe('42');
  });

  it('stays exact past 2^53, where numbers would round', () => {
    expect(offsetAfter('9007199254740993')).toBe('9007199254740994');
    expect(offsetAfter('9223372036854775806')).toBe('9223372036854775807');
  });
});
