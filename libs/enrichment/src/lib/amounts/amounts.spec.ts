import { extractAmounts } from './amounts';

describe('extractAmounts', () => {
  it('normalises money, percentages and counts', () => {
    const text =
      'The fund raised $1.5 billion, up 12 percent, and 400 MPs backed it; sales rose 3.5% to 20 mln euros.';
    expect(
      extractAmounts(text).map(({ text: t, value, unit, object }) => ({ t, value, unit, object })),
    ).toEqual([
      { t: '$1.5 billion', value: 1.5e9, unit: 'USD', object: undefined },
      { t: '12 percent', value: 12, unit: 'percent', object: undefined },
      { t: '400 MPs', value: 400, unit: undefined, object: 'MPs' },
      { t: '3.5%', value: 3.5, unit: 'percent', object: undefined },
      { t: '20 mln euros', value: 2e7, unit: 'EUR', object: undefined },
    ]);
  });

  it('skips years, dates, times and excluded ranges', () => {
    const text = 'In 2021, on 2022-02-22 at 10:30, 16 lawmakers voted.';
    expect(extractAmounts(text).map((a) => a.text)).toEqual(['16 lawmakers']);
    expect(extractAmounts('16 lawmakers', [[0, 2]])).toEqual([]);
  });
});
