import { analyseText } from '../text/tokenize';
import { scoreSentiment } from './sentiment';

const score = (text: string) => scoreSentiment(analyseText(text).tokens);

describe('scoreSentiment', () => {
  it('scores tone in [-1, 1] with positive and negative shares', () => {
    const good = score('The talks were a great success and everyone was happy.');
    const bad = score('The attack killed civilians and caused terrible destruction.');
    expect(good.score).toBeGreaterThan(0.3);
    expect(bad.score).toBeLessThan(-0.3);
    expect(good.positive).toBeGreaterThan(good.negative);
    expect(bad.negative).toBeGreaterThan(bad.positive);
  });

  it('flips valence after a negator and is neutral without sentiment words', () => {
    expect(score('This is not good.').score).toBeLessThan(0);
    expect(score('The meeting is on Tuesday.')).toEqual({ score: 0, positive: 0, negative: 0 });
  });
});
