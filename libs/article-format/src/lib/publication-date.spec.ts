import { utcCalendarDate } from './publication-date';

describe('utcCalendarDate', () => {
  it.each([
    ['2022-02-22', '2022-02-22'],
    ['2024-02-29', '2024-02-29'],
    ['2022-02-22T10:00:00Z', '2022-02-22'],
    ['2022-02-22T10:00Z', '2022-02-22'],
    ['2022-02-22t10:00:00z', '2022-02-22'],
    ['2022-02-22 10:00:00Z', '2022-02-22'],
    ['2022-02-22T10:00:00.123456Z', '2022-02-22'],
    ['2022-02-22T10:00:00,5Z', '2022-02-22'],
    // Without an offset the time is taken as UTC, whatever the server's time zone.
    ['2022-02-22T23:59:59', '2022-02-22'],
    ['2022-02-22T23:30:00-05:00', '2022-02-23'],
    ['2022-02-22T01:00:00+03:00', '2022-02-21'],
    ['2022-02-22T01:00:00+0300', '2022-02-21'],
    ['2022-02-22T01:00:00+03', '2022-02-21'],
    ['2022-03-01T00:30:00+01:00', '2022-02-28'],
    ['2024-03-01T00:30:00+01:00', '2024-02-29'],
    ['2022-12-31T20:00:00-08:00', '2023-01-01'],
    ['2022-02-22T23:59:60Z', '2022-02-22'],
    ['0050-01-01T00:30:00+01:00', '0049-12-31'],
  ])('%s → %s', (value, date) => {
    expect(utcCalendarDate(value)).toEqual({ ok: true, date });
  });

  it.each([
    '22-02-2022',
    '2022-2-22',
    '2022/02/22',
    '20220222',
    '2022-02-22T10',
    '2022-02-22T10:00:00+5',
    '2022-02-22T10:00:00 Z',
    'Tuesday',
    '',
    ' 2022-02-22',
  ])('rejects the format of %j', (value) => {
    expect(utcCalendarDate(value)).toEqual({ ok: false, problem: 'format' });
  });

  it.each([
    '2022-02-30',
    '2023-02-29',
    '2022-13-01',
    '2022-02-30T10:00:00Z',
    '2022-02-22T24:00:00Z',
    '2022-02-22T10:60Z',
    '2022-02-22T10:00:61Z',
    '2022-02-22T10:00+24:00',
  ])('rejects %s as nonexistent', (value) => {
    expect(utcCalendarDate(value)).toEqual({ ok: false, problem: 'nonexistent' });
  });

  it('does not produce a five-digit year', () => {
    expect(utcCalendarDate('9999-12-31T23:00:00-05:00')).toEqual({ ok: false, problem: 'beyond-9999' });
    expect(utcCalendarDate('9999-12-31T23:00:00Z')).toEqual({ ok: true, date: '9999-12-31' });
  });
});
