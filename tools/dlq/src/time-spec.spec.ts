import { parseTimeSpec } from './time-spec';

const NOW = new Date('2026-11-27T12:00:00.000Z');
const time = (text: string) => {
  const parsed = parseTimeSpec(text, NOW);
  return parsed.ok ? parsed.time.toISOString() : `error: ${parsed.reason}`;
};

describe('parseTimeSpec', () => {
  it('reads a date as UTC midnight', () => {
    expect(time('2026-11-01')).toBe('2026-11-01T00:00:00.000Z');
  });

  it('reads ISO 8601 times with their zone', () => {
    expect(time('2026-11-01T10:30:00Z')).toBe('2026-11-01T10:30:00.000Z');
    expect(time('2026-11-01T10:30+02:00')).toBe('2026-11-01T08:30:00.000Z');
    expect(time('2026-11-01T10:30:00.123456-05:00')).toBe('2026-11-01T15:30:00.123Z');
  });

  it('counts ages back from now', () => {
    expect(time('30m')).toBe('2026-11-27T11:30:00.000Z');
    expect(time('2h')).toBe('2026-11-27T10:00:00.000Z');
    expect(time('7d')).toBe('2026-11-20T12:00:00.000Z');
    expect(time('2w')).toBe('2026-11-13T12:00:00.000Z');
  });

  it('refuses times without a zone, impossible dates and anything else', () => {
    expect(time('2026-11-01T10:30')).toMatch(/^error: needs a time zone/);
    expect(time('2026-02-29')).toMatch(/^error: is not a real date/);
    expect(time('2026-13-01T00:00Z')).toMatch(/^error: is not a real date/);
    expect(time('last week')).toMatch(/^error: must be YYYY-MM-DD/);
    expect(time('5y')).toMatch(/^error: must be/);
  });
});
