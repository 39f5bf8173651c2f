import {
  callsPerCpuSecond,
  callsPerSecond,
  formatTable,
  measure,
  measurementSink,
  microsPerCall,
} from './measure';

describe('measure', () => {
  it('warms up, then times every input in every pass', () => {
    const seen: number[] = [];
    const before = measurementSink();
    const m = measure([1, 2, 3], (x) => seen.push(x), { warmUpCalls: 2, passes: 2 });
    expect(seen).toEqual([1, 2, 1, 2, 3, 1, 2, 3]);
    expect(m.calls).toBe(6);
    expect(m.wallSeconds).toBeGreaterThan(0);
    expect(m.cpuSeconds).toBeGreaterThanOrEqual(0);
    expect(measurementSink()).toBeGreaterThan(before);
  });

  it('derives rates from a measurement', () => {
    const m = { calls: 200, wallSeconds: 0.5, cpuSeconds: 0.25 };
    expect(microsPerCall(m)).toBe(2500);
    expect(callsPerSecond(m)).toBe(400);
    expect(callsPerCpuSecond(m)).toBe(800);
    expect(microsPerCall(measure([], () => 1, { warmUpCalls: 3, passes: 1 }))).toBe(0);
  });

  it('formats a table with columns as wide as their widest cell', () => {
    expect(
      formatTable([
        ['name', 'n'],
        ['a', '12345'],
      ]),
    ).toBe('name  n\na     12345');
  });
});
