import { extractDates, parseCalendarDate } from './dates';

describe('extractDates', () => {
  const tuesday = parseCalendarDate('2022-02-22') as Date;

  it('resolves weekdays and relative days against the publication date', () => {
    const text = 'In a session held on Tuesday, MPs voted. The day before, he spoke. Last week, they left.';
    expect(extractDates(text, tuesday).map(({ text: t, date }) => [t, date])).toEqual([
      ['Tuesday', '2022-02-22'],
      ['The day before', '2022-02-21'],
      ['Last week', '2022-02-15'],
    ]);
  });

  it('reads explicit dates and skips durations', () => {
    const text = 'The talks on March 3, 2021 went on for several days.';
    const dates = extractDates(text, tuesday);
    expect(dates.map((d) => d.date)).toEqual(['2021-03-03']);
    expect(text.slice(...(dates[0]?.offsets ?? [0, 0]))).toBe('March 3, 2021');
  });

  it('parses calendar dates only', () => {
    expect(parseCalendarDate('2022-13-45')).toBeUndefined();
    expect(parseCalendarDate(undefined)).toBeUndefined();
  });
});
