import { between, peakLags } from './watch';

describe('between', () => {
  it('sums messages per partition, counting a partition missing at the start from 0', () => {
    expect(
      between(
        new Map([[0, 5]]),
        new Map([
          [0, 8],
          [1, 4],
        ]),
      ),
    ).toBe(7);
  });

  it('never counts backwards', () => {
    expect(between(new Map([[0, 9]]), new Map([[0, 3]]))).toBe(0);
  });
});

describe('peakLags', () => {
  it('keeps the largest lag per group and topic since a time', () => {
    const peaks = peakLags(
      [
        { at: 1, lag: { 'storage t': 500 } },
        { at: 10, lag: { 'storage t': 20, 'enrichment u': 3 } },
        { at: 20, lag: { 'storage t': 40, 'enrichment u': 1 } },
      ],
      5,
    );
    expect(peaks).toEqual({ 'storage t': { messages: 40, at: 20 }, 'enrichment u': { messages: 3, at: 10 } });
  });
});
