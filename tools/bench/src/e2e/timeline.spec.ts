import {
  type CommitSample,
  type TopicMessage,
  committedTimes,
  earliestById,
  middleRate,
  stageResult,
} from './timeline';

const message = (id: string, partition: number, offset: number, timestamp = 0): TopicMessage => ({
  id,
  partition,
  offset,
  timestamp,
});
const sample = (at: number, offsets: Record<number, number>): CommitSample => ({
  at,
  offsets: new Map(Object.entries(offsets).map(([partition, offset]) => [Number(partition), offset])),
});

describe('committedTimes', () => {
  it('gives each message the first sample whose committed offset is beyond it, per partition', () => {
    const a = message('a', 0, 10);
    const b = message('b', 0, 11);
    const c = message('c', 1, 5);
    const d = message('d', 0, 12);
    // Samples out of order: the join sorts them by time.
    const times = committedTimes(
      [d, c, b, a],
      [sample(300, { 0: 13, 1: 6 }), sample(100, { 0: 10 }), sample(200, { 0: 12, 1: 5 })],
    );
    expect(times.get(a)).toBe(200); // committed 10 means "next to read is 10": a is not stored at 100
    expect(times.get(b)).toBe(200);
    expect(times.get(c)).toBe(300);
    expect(times.get(d)).toBe(300);
  });

  it('leaves out messages never seen committed', () => {
    const late = message('late', 2, 7);
    const times = committedTimes([late, message('x', 2, 3)], [sample(100, { 2: 5 })]);
    expect(times.has(late)).toBe(false);
    expect(times.size).toBe(1);
  });
});

describe('earliestById', () => {
  it('keeps the earliest time of an id seen more than once', () => {
    const earliest = earliestById([
      { id: 'a', at: 30 },
      { id: 'b', at: 10 },
      { id: 'a', at: 20 },
      { id: 'a', at: 25 },
    ]);
    expect([...earliest]).toEqual([
      ['a', 20],
      ['b', 10],
    ]);
  });
});

describe('stageResult', () => {
  const drops = new Map([
    ['a', 1_000],
    ['b', 1_500],
    ['c', 2_000],
  ]);

  it('measures from each drop to its arrival and the rate from the first drop to the last arrival', () => {
    const result = stageResult(
      drops,
      new Map([
        ['a', 1_100],
        ['b', 1_800],
        ['c', 3_000],
        ['not-dropped', 9_999],
      ]),
    );
    expect(result.dropped).toBe(3);
    expect(result.reached).toBe(3);
    expect(result.latency).toMatchObject({ count: 3, p50Ms: 300, maxMs: 1_000 });
    expect(result.spanSeconds).toBe(2);
    expect(result.articlesPerSecond).toBe(1.5);
    expect(result.missingExamples).toEqual([]);
  });

  it('names dropped articles that never arrived', () => {
    const result = stageResult(drops, new Map([['b', 2_500]]));
    expect(result.reached).toBe(1);
    expect(result.missingExamples).toEqual(['a', 'c']);
    expect(result.spanSeconds).toBe(1.5);
  });

  it('reports no rate when nothing arrived', () => {
    const result = stageResult(drops, new Map());
    expect(result).toMatchObject({ reached: 0, spanSeconds: 0, articlesPerSecond: 0 });
  });
});

describe('middleRate', () => {
  it('is the rate between the 10% and 90% arrivals, leaving out a slow start and tail', () => {
    // 101 arrivals: a slow start (10 s for the first 10), then 10 ms apart, then a slow tail.
    const times = [
      ...Array.from({ length: 10 }, (_, i) => i * 1_000),
      ...Array.from({ length: 81 }, (_, i) => 10_000 + i * 10),
      ...Array.from({ length: 10 }, (_, i) => 20_000 + i * 1_000),
    ];
    expect(middleRate(times)).toBeCloseTo(100, 5);
  });

  it('needs 20 arrivals to say anything', () => {
    expect(middleRate([1, 2, 3])).toBeUndefined();
  });
});
