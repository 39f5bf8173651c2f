import { isIsoDateFormat, isRealCalendarDate, latestAllowedDate } from './calendar-date';

describe('isIsoDateFormat', () => {
  it.each(['2022-02-22', '0001-01-01', '9999-12-31'])('accepts %s', (value) => {
    expect(isIsoDateFormat(value)).toBe(true);
  });

  it.each(['22-02-2022', '2022-2-22', '2022/02/22', '2022-02-22T00:00', '２０２２-02-22', ''])(
    'rejects %j',
    (value) => {
      expect(isIsoDateFormat(value)).toBe(false);
    },
  );
});

describe('isRealCalendarDate', () => {
  it.each(['2022-02-28', '2024-02-29', '2000-02-29', '2022-12-31', '2022-04-30'])('accepts %s', (value) => {
    expect(isRealCalendarDate(value)).toBe(true);
  });

  it.each(['2022-02-29', '1900-02-29', '2022-02-30', '2022-04-31', '2022-13-01', '2022-00-10', '2022-01-00'])(
    'rejects %s',
    (value) => {
      expect(isRealCalendarDate(value)).toBe(false);
    },
  );
});

describe('latestAllowedDate', () => {
  it('is the UTC day after now', () => {
    expect(latestAllowedDate(new Date('2024-06-15T12:00:00Z'))).toBe('2024-06-16');
  });

  it('rolls over month and year ends', () => {
    expect(latestAllowedDate(new Date('2024-02-28T23:59:59Z'))).toBe('2024-02-29');
    expect(latestAllowedDate(new Date('2023-12-31T00:00:00Z'))).toBe('2024-01-01');
  });

  it('uses the UTC day, not the local one', () => {
    expect(latestAllowedDate(new Date('2024-06-15T23:30:00-05:00'))).toBe('2024-06-17');
  });
});
