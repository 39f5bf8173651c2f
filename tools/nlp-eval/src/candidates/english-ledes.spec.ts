import { englishLedes, HEADLINE_CHARS, openingWords } from './english-ledes';

describe('English ledes', () => {
  it('keeps the words that fit', () => {
    expect(openingWords('one two three', 8)).toBe('one two');
    expect(openingWords('unbreakable', 4)).toBe('unbreakable');
  });

  it('takes the first sentence, its opening words and the enricher’s sample of each article', () => {
    const text =
      'General Motors Corp said its directors authorized the repurchase of up to 20 pct of its stock. The plan runs to 1990.';
    const { ledes, headlines, articles } = englishLedes([
      { lede: 'GM TO BUY BACK SHARES', text, wordCount: 25, publishedAt: '1987-03-01' },
    ]);
    expect(ledes.map((s) => s.text)).toEqual([
      'General Motors Corp said its directors authorized the repurchase of up to 20 pct of its stock.',
    ]);
    expect(headlines[0]?.text).toBe('General Motors Corp said its directors authorized');
    expect(headlines[0]?.text.length).toBeLessThanOrEqual(HEADLINE_CHARS);
    expect(articles[0]?.text).toBe(`GM TO BUY BACK SHARES\n${text}`);
    expect([...ledes, ...headlines, ...articles].every((s) => s.language === 'en')).toBe(true);
  });
});
