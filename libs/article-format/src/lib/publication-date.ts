import { isIsoDateFormat, isRealCalendarDate, toIsoDate } from './calendar-date';

export type UtcDateResult =
  | { ok: true; date: string }
  /** 'beyond-9999': '9999-12-31T23:00-05:00' is a real instant, but its UTC date has no YYYY form. */
  | { ok: false; problem: 'format' | 'nonexistent' | 'beyond-9999' };

// RFC 3339 / ISO 8601 extended format, as JSON exports write it: 'T' (or a space, which RFC 3339 allows),
// optional seconds and fraction, optional 'Z' or numeric offset. Hand-written rather than Date.parse, whose
// accepted formats are implementation-defined and which reads a time without offset as local time.
const DATE_TIME =
  /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;

const MINUTES_PER_DAY = 24 * 60;

/**
 * The UTC calendar date of a JSON date field: 'YYYY-MM-DD' as it is, a date-time converted to UTC.
 * A date-time without an offset is taken as UTC, so the result never depends on the server's time zone.
 */
export function utcCalendarDate(value: string): UtcDateResult {
  if (isIsoDateFormat(value)) {
    return isRealCalendarDate(value) ? { ok: true, date: value } : { ok: false, problem: 'nonexistent' };
  }
  const match = DATE_TIME.exec(value);
  if (!match) return { ok: false, problem: 'format' };
  const [, date, hh, mm, ss = '00', , sign, offsetHh = '00', offsetMm = '00'] = match;
  // Second 60 is a leap second; it still belongs to the same minute of the same day.
  const timeExists = Number(hh) <= 23 && Number(mm) <= 59 && Number(ss) <= 60;
  const offsetExists = Number(offsetHh) <= 23 && Number(offsetMm) <= 59;
  if (!isRealCalendarDate(date) || !timeExists || !offsetExists) return { ok: false, problem: 'nonexistent' };

  const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(offsetHh) * 60 + Number(offsetMm));
  const utcMinutes = Number(hh) * 60 + Number(mm) - offsetMinutes;
  // Both the time and the offset are under a day, so the UTC date is at most one day either way.
  const dayShift = Math.floor(utcMinutes / MINUTES_PER_DAY);
  if (dayShift === 0) return { ok: true, date };
  const shifted = addDays(date, dayShift);
  if (shifted.getUTCFullYear() > 9999) return { ok: false, problem: 'beyond-9999' };
  // Year -1 ('-000001-12-31') still compares as earlier than 1900, so the caller's range check holds.
  return { ok: true, date: toIsoDate(shifted) };
}

function addDays(isoDate: string, days: number): Date {
  const [year, month, day] = isoDate.split('-').map(Number);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  const result = new Date(0);
  result.setUTCFullYear(year, month - 1, day + days);
  return result;
}
