import { trendOf } from './entity.dto';

describe('trendOf', () => {
  it.each([
    [
      { articles: 3, mentions: 6 },
      { articles: 1, mentions: 3 },
      { trend: 'up', change: 1 },
    ],
    [
      { articles: 1, mentions: 2 },
      { articles: 2, mentions: 4 },
      { trend: 'down', change: -0.5 },
    ],
    [
      { articles: 2, mentions: 4 },
      { articles: 3, mentions: 4 },
      { trend: 'flat', change: 0 },
    ],
    [
      { articles: 1, mentions: 5 },
      { articles: 0, mentions: 0 },
      { trend: 'new', change: null },
    ],
    [
      { articles: 1, mentions: 1 },
      { articles: 3, mentions: 3 },
      { trend: 'down', change: -0.6667 },
    ],
  ])('%j against %j → %j', (current, previous, expected) => {
    expect(trendOf(current, previous)).toEqual(expected);
  });
});
