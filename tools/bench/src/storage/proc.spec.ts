import { parseStatCpuSeconds } from './proc';

describe('parseStatCpuSeconds', () => {
  it('adds utime and stime (fields 14 and 15) in clock ticks, whatever the command name holds', () => {
    const stat = '4242 (node (worker) 1) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 11 0 100 0 0';
    expect(parseStatCpuSeconds(stat)).toBe(3.25);
  });

  it('is undefined for a line it cannot read', () => {
    expect(parseStatCpuSeconds('garbage')).toBeUndefined();
  });
});
