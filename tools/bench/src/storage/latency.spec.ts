import { percentile, summarizeBy, summarizeLatencies } from './latency';

describe('percentile (nearest rank)', () => {
  const oneToTwenty = Array.from({ length: 20 }, (_, index) => index + 1);

  it('is the smallest value with p% of the samples at or below it', () => {
    expect(percentile(oneToTwenty, 95)).toBe(19);
    expect(percentile(oneToTwenty, 50)).toBe(10);
    expect(percentile(oneToTwenty, 99)).toBe(20);
    expect(percentile(oneToTwenty, 100)).toBe(20);
    expect(percentile(oneToTwenty, 0)).toBe(1);
  });

  it('is the only value of one sample and 0 of none', () => {
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBe(0);
  });
});

describe('summarizeLatencies', () => {
  it('sorts the samples itself and reports mean, percentiles and max', () => {
    const summary = summarizeLatencies([30, 10, 20, 40]);
    expect(summary).toEqual({ count: 4, meanMs: 25, p50Ms: 20, p95Ms: 40, p99Ms: 40, maxMs: 40 });
  });
});

describe('summarizeBy', () => {
  it('summarizes each group in the given order and leaves out empty groups', () => {
    const samples = [
      { key: 'b' as const, ms: 5 },
      { key: 'a' as const, ms: 1 },
      { key: 'a' as const, ms: 3 },
    ];
    const groups = summarizeBy(samples, ['a', 'b', 'c'] as const);
    expect(groups.map((group) => [group.key, group.summary.count, group.summary.maxMs])).toEqual([
      ['a', 2, 3],
      ['b', 1, 5],
    ]);
  });
});
