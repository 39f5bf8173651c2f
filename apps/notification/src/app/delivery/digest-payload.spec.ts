import { digestPayload } from './digest-payload';

describe('digestPayload', () => {
  const subscription = { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Donbass watch' };
  const matched = (id: string) => ({
    type: 'article.matched',
    timestamp: '2026-11-26T10:01:00.000Z',
    data: { subscription, matchedKeywords: ['NATO'], article: { id, lede: `lede ${id}` } },
  });

  it('bundles the matches of one window, each without repeating the subscription', () => {
    const payload = digestPayload({
      subscription,
      windowStart: new Date('2026-11-26T10:00:00Z'),
      windowEnd: new Date('2026-11-26T10:15:00Z'),
      matches: [matched('a'), matched('b')],
      now: new Date('2026-11-26T10:15:01Z'),
    });
    expect(payload).toEqual({
      type: 'article.digest',
      timestamp: '2026-11-26T10:15:01.000Z',
      data: {
        subscription,
        window: { start: '2026-11-26T10:00:00.000Z', end: '2026-11-26T10:15:00.000Z' },
        count: 2,
        matches: [
          { matchedKeywords: ['NATO'], article: { id: 'a', lede: 'lede a' } },
          { matchedKeywords: ['NATO'], article: { id: 'b', lede: 'lede b' } },
        ],
      },
    });
  });

  it('keeps a match that has no `data` object as it was queued', () => {
    const odd = { n: 1 };
    const payload = digestPayload({
      subscription,
      windowStart: new Date(0),
      windowEnd: new Date(60_000),
      matches: [odd, { data: ['not', 'an', 'object'] }],
    });
    expect(payload.data.matches).toEqual([odd, { data: ['not', 'an', 'object'] }]);
  });
});
