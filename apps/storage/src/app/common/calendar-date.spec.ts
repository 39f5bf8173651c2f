import { BadRequestException } from '@nestjs/common';

import { addDays, daysBetween, isCalendarDate, resolveDateRange } from './calendar-date';

describe('calendar dates', () => {
  it.each(['2022-02-22', '2024-02-29', '1999-12-31', '2000-02-29'])('%s is a calendar date', (date) => {
    expect(isCalendarDate(date)).toBe(true);
  });

  it.each([
    '2022-02-30',
    '2023-02-29',
    '1900-02-29',
    '2022-2-22',
    '2022-02-22T00:00:00Z',
    'today',
    '',
    '22-02-2022',
  ])('%j is not', (date) => {
    expect(isCalendarDate(date)).toBe(false);
  });

  it('adds days across months, leap days and years', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2021-12-31', 1)).toBe('2022-01-01');
    expect(daysBetween('2022-02-16', '2022-02-22')).toBe(7);
    expect(daysBetween('2022-02-22', '2022-02-22')).toBe(1);
  });
});

describe('resolveDateRange', () => {
  const options = { today: new Date('2022-02-22T23:59:59Z'), defaultDays: 7, maxDays: 366 };

  it('defaults to the last defaultDays days up to today (UTC), both included', () => {
    expect(resolveDateRange({}, options)).toEqual({ from: '2022-02-16', to: '2022-02-22' });
    expect(resolveDateRange({ to: '2022-01-07' }, options)).toEqual({ from: '2022-01-01', to: '2022-01-07' });
    expect(resolveDateRange({ from: '2022-02-01' }, options)).toEqual({
      from: '2022-02-01',
      to: '2022-02-22',
    });
  });

  it.each<[{ from?: string; to?: string }, RegExp]>([
    [{ from: '2022-02-23', to: '2022-02-22' }, /^from: must not be after to/],
    [{ from: '2022-02-23' }, /^from: must not be after to/],
    [{ from: '2021-01-01', to: '2022-01-02' }, /^from: .* longer than 366 days/],
  ])('refuses %j with a 400 naming from', (requested, message) => {
    expect(() => resolveDateRange(requested, options)).toThrow(BadRequestException);
    expect(() => resolveDateRange(requested, options)).toThrow(message);
  });

  it('accepts exactly maxDays days', () => {
    expect(resolveDateRange({ from: '2021-01-01', to: '2022-01-01' }, options)).toEqual({
      from: '2021-01-01',
      to: '2022-01-01',
    });
  });
});
