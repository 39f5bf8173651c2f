import { BadRequestException } from '@nestjs/common';

const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` naming a day that exists (no 2022-02-30, no 2023-02-29). */
export function isCalendarDate(value: string): boolean {
  const match = CALENDAR_DATE.exec(value);
  if (!match) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** UTC midnight at the start of a calendar date. */
export const startOfDay = (date: string): Date => new Date(`${date}T00:00:00Z`);

export const toCalendarDate = (instant: Date): string => instant.toISOString().slice(0, 10);

export const addDays = (date: string, days: number): string =>
  toCalendarDate(new Date(startOfDay(date).getTime() + days * DAY_MS));

/** Whole days from `from` to `to`, both included. */
export const daysBetween = (from: string, to: string): number =>
  Math.round((startOfDay(to).getTime() - startOfDay(from).getTime()) / DAY_MS) + 1;

export interface DateRange {
  /** Both included. */
  from: string;
  to: string;
}

/**
 * The days a request asks about: `to` defaults to today (UTC), `from` to `defaultDays` days ending at
 * `to`. `from` after `to`, or more than `maxDays` days, is refused with a 400 naming the parameter.
 */
export function resolveDateRange(
  requested: { from?: string; to?: string },
  options: { today: Date; defaultDays: number; maxDays: number },
): DateRange {
  const to = requested.to ?? toCalendarDate(options.today);
  const from = requested.from ?? addDays(to, -(options.defaultDays - 1));
  if (from > to) throw new BadRequestException(`from: must not be after to (${from} > ${to})`);
  if (daysBetween(from, to) > options.maxDays) {
    throw new BadRequestException(
      `from: the window from ${from} to ${to} is longer than ${options.maxDays} days`,
    );
  }
  return { from, to };
}
