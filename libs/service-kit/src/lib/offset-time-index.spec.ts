import { OffsetTimeIndex, interpolateTime } from './offset-time-index';

describe('OffsetTimeIndex', () => {
  it('brackets an offset between the nearest boundaries at or below it and above it', () => {
    const index = new OffsetTimeIndex();
    index.record({ offset: 10n, time: 1_000 });
    index.record({ offset: 30n, time: 3_000 });
    index.record({ offset: 20n, time: 2_000 });
    expect(index.bracket(25n)).toEqual({
      lower: { offset: 20n, time: 2_000 },
      upper: { offset: 30n, time: 3_000 },
    });
    expect(index.bracket(20n).lower).toEqual({ offset: 20n, time: 2_000 });
    expect(index.bracket(5n)).toEqual({ lower: undefined, upper: { offset: 10n, time: 1_000 } });
    expect(index.bracket(30n)).toEqual({ lower: { offset: 30n, time: 3_000 }, upper: undefined });
  });

  it('keeps the earliest and latest time of an offset: an idle partition holds two points, not one per refresh', () => {
    const index = new OffsetTimeIndex();
    for (let time = 0; time <= 100_000; time += 10_000) index.record({ offset: 5n, time });
    expect(index.size).toBe(2);
    // The earliest bounds older messages from above, the latest newer ones from below.
    expect(index.bracket(4n).upper).toEqual({ offset: 5n, time: 0 });
    expect(index.bracket(5n).lower).toEqual({ offset: 5n, time: 100_000 });
  });

  it('forgets what lies below a committed offset but the boundary that still bounds it', () => {
    const index = new OffsetTimeIndex();
    for (let offset = 0; offset < 10; offset++) index.record({ offset: BigInt(offset * 10), time: offset });
    index.forgetBelow(45n);
    expect(index.size).toBe(6);
    expect(index.bracket(45n)).toEqual({ lower: { offset: 40n, time: 4 }, upper: { offset: 50n, time: 5 } });
  });

  it('stays bounded when a stopped consumer leaves points piling up', () => {
    const index = new OffsetTimeIndex();
    for (let offset = 0; offset < 5_000; offset++) index.record({ offset: BigInt(offset), time: offset });
    expect(index.size).toBeLessThanOrEqual(1_000);
    // The newest points are kept at full resolution.
    expect(index.bracket(4_998n)).toEqual({
      lower: { offset: 4_998n, time: 4_998 },
      upper: { offset: 4_999n, time: 4_999 },
    });
  });
});

describe('interpolateTime', () => {
  it('spreads the messages of a bracket evenly over its time', () => {
    const bracket = { lower: { offset: 100n, time: 0 }, upper: { offset: 110n, time: 10_000 } };
    expect(interpolateTime(100n, bracket)).toBe(500);
    expect(interpolateTime(109n, bracket)).toBe(9_500);
  });

  it('never goes back in time when two clocks disagree', () => {
    expect(
      interpolateTime(1n, { lower: { offset: 0n, time: 5_000 }, upper: { offset: 2n, time: 4_000 } }),
    ).toBe(5_000);
  });
});
