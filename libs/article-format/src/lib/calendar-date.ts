const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;

export const MIN_PUBLISHED_AT = '1900-01-01';

export function isIsoDateFormat(value: string): boolean {
  return ISO_DATE.test(value);
}

/**
 * Checks the calendar by hand: `new Date('2022-02-30')` is Invalid Date but `Date.UTC(2022, 1, 30)`
 * silently rolls over to March 2nd, so relying on Date would be easy to get subtly wrong.
 */
export function isRealCalendarDate(value: string): boolean {
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/**
 * The latest acceptable publication date: the UTC calendar day of `now`, plus one. The extra day lets
 * a newsroom east of UTC (up to UTC+14) publish under its local date without being rejected.
 */
export function latestAllowedDate(now: Date): string {
  const tomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1));
  return toIsoDate(tomorrow);
}

export function toIsoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}
