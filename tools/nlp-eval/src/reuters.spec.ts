import { percentile } from './bench-enrich';
import { convertReuters, reutersDate } from './reuters';

describe('reuters corpus', () => {
  it('converts a record into paragraphs with a lede and a date', () => {
    const article = convertReuters({
      title: 'BAHIA COCOA REVIEW',
      date: '26-FEB-1987 15:01:01.79',
      body: 'Showers continued throughout the week in\nthe Bahia cocoa zone.\n    The dry period means\nthe temporao will be late.\n Reuter\n&#3;',
    });
    expect(article).toEqual({
      lede: 'BAHIA COCOA REVIEW',
      text: 'Showers continued throughout the week in the Bahia cocoa zone.\n\nThe dry period means the temporao will be late.',
      wordCount: 22,
      publishedAt: '1987-02-26',
    });
    expect(reutersDate(undefined)).toBe('1987-01-01');
  });

  it('computes percentiles', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 99)).toBe(4);
    expect(percentile([], 50)).toBe(0);
  });
});
