/**
 * Times given on the command line (`--since`, `--until`, `--before`): a UTC date, an ISO 8601 time
 * with its zone, or an age such as `2h` or `7d` counted back from now.
 */
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const AGE = /^(\d{1,6})(m|h|d|w)$/;

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

export const TIME_FORMS = 'YYYY-MM-DD (UTC), an ISO 8601 time with a zone, or an age like 30m, 2h, 7d, 2w';

export type TimeParse = { ok: true; time: Date } | { ok: false; reason: string };

export function parseTimeSpec(text: string, now: Date): TimeParse {
  const value = text.trim();
  const age = AGE.exec(value);
  if (age) {
    const unit = age[2] as keyof typeof UNIT_MS;
    return { ok: true, time: new Date(now.getTime() - Number(age[1]) * UNIT_MS[unit]) };
  }
  if (DATE.test(value)) return calendar(`${value}T00:00:00.000Z`, value);
  if (DATE_TIME.test(value)) return calendar(value, value);
  if (/^\d{4}-\d{2}-\d{2}T/.test(value) && !/(Z|[+-]\d{2}:\d{2})$/i.test(value)) {
    // Without a zone the instant depends on the machine's time zone: refuse rather than guess.
    return { ok: false, reason: `needs a time zone (Z or +01:00), got "${text}"` };
  }
  return { ok: false, reason: `must be ${TIME_FORMS}; got "${text}"` };
}

function calendar(iso: string, original: string): TimeParse {
  const time = new Date(iso);
  // Date accepts 2026-02-30 as March 2nd; a date that does not round-trip is not a real date.
  const datePart = original.slice(0, 10);
  if (Number.isNaN(time.getTime()) || !sameCalendarDate(datePart)) {
    return { ok: false, reason: `is not a real date or time: "${original}"` };
  }
  return { ok: true, time };
}

function sameCalendarDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00.000Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}
