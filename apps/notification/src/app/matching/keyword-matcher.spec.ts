import { keywordPattern, matchKeywords } from './keyword-matcher';

describe('keyword matching', () => {
  const text =
    'Kiev’s attempts to “drag foreign states into conflict” with its efforts to join NATO. President Vladimir Putin said';

  it('matches whole words and phrases, case-insensitively', () => {
    expect(keywordPattern('nato').test(text)).toBe(true);
    expect(keywordPattern('vladimir   putin').test(text)).toBe(true);
    expect(keywordPattern('Kiev').test(text)).toBe(true);
  });

  it('does not match inside other words', () => {
    expect(keywordPattern('NAT').test(text)).toBe(false);
    expect(keywordPattern('resident').test(text)).toBe(false);
  });

  it('treats regex characters in keywords literally', () => {
    expect(keywordPattern('a.b').test('axb')).toBe(false);
    expect(keywordPattern('C++').test('we like C++ here')).toBe(true);
  });

  it('returns each matching subscription with its matched keywords', () => {
    const matches = matchKeywords(text, [
      { id: 's1', keywords: ['Putin', 'Merkel'] },
      { id: 's2', keywords: ['Biden'] },
      { id: 's3', keywords: ['nato', 'kiev'] },
    ]);
    expect(matches).toEqual([
      { subscriptionId: 's1', matchedKeywords: ['Putin'] },
      { subscriptionId: 's3', matchedKeywords: ['nato', 'kiev'] },
    ]);
  });
});
