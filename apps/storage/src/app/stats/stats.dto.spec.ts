import { stageDays } from './stats.dto';

describe('stageDays', () => {
  it('lists every day of the window, with zeros for days and stages without articles', () => {
    expect(
      stageDays(
        ['2022-02-20', '2022-02-21', '2022-02-22'],
        [
          { stage: 'ingested', day: '2022-02-20', articles: 5 },
          { stage: 'stored', day: '2022-02-20', articles: 5 },
          { stage: 'enriched', day: '2022-02-22', articles: 4 },
          { stage: 'notified', day: '2022-02-22', articles: 1 },
          // Outside the window (cannot happen with the repository's query, but must not add a day).
          { stage: 'ingested', day: '2022-02-23', articles: 9 },
        ],
      ),
    ).toEqual([
      { date: '2022-02-20', ingested: 5, stored: 5, enriched: 0, notified: 0 },
      { date: '2022-02-21', ingested: 0, stored: 0, enriched: 0, notified: 0 },
      { date: '2022-02-22', ingested: 0, stored: 0, enriched: 4, notified: 1 },
    ]);
  });
});
