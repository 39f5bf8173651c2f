import { digestWindowEnd } from './digest-window';

describe('digestWindowEnd (windows aligned to the Unix epoch, UTC)', () => {
  it.each<[string, number, string]>([
    ['2026-11-26T10:07:31.250Z', 15, '2026-11-26T10:15:00.000Z'],
    ['2026-11-26T10:59:59.999Z', 60, '2026-11-26T11:00:00.000Z'],
    ['2026-11-26T23:10:00.000Z', 1_440, '2026-11-27T00:00:00.000Z'],
    ['2026-11-26T10:00:00.000Z', 5, '2026-11-26T10:05:00.000Z'],
  ])('a match at %s with %i-minute windows is sent at %s', (at, minutes, end) => {
    expect(digestWindowEnd(new Date(at), minutes).toISOString()).toBe(end);
  });

  it('a moment exactly on a boundary opens the next window (windows are [start, end))', () => {
    const boundary = new Date('2026-11-26T10:15:00.000Z');
    expect(digestWindowEnd(boundary, 15).toISOString()).toBe('2026-11-26T10:30:00.000Z');
    expect(digestWindowEnd(new Date(boundary.getTime() - 1), 15)).toEqual(boundary);
  });

  it('every instance computes the same window for the same moment', () => {
    const at = new Date('2026-11-26T10:07:31Z');
    expect(digestWindowEnd(at, 7)).toEqual(digestWindowEnd(new Date(at), 7));
    expect(digestWindowEnd(at, 7).getTime() % (7 * 60_000)).toBe(0);
  });
});
