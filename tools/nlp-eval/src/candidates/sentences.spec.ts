import { boundaries, SENTENCE_CASES, sentenceAgreement } from './sentences';

describe('sentence agreement', () => {
  it('places boundaries by non-space characters, ignoring the end of the text', () => {
    expect(boundaries(['Ab c.', ' De.', 'F'])).toEqual(new Set([4, 7]));
    expect(boundaries(['One sentence.'])).toEqual(new Set());
  });

  it('counts found, invented and missed boundaries, and exact cases', () => {
    const cases = [
      { text: 'A b. C d.', sentences: ['A b.', 'C d.'] },
      { text: 'Mr. X left. Y stayed.', sentences: ['Mr. X left.', 'Y stayed.'] },
    ];
    // A naive splitter: after every full stop.
    const naive = (text: string): string[] => text.split(/(?<=\.)\s+/);
    const result = sentenceAgreement(cases, naive);
    expect(result).toEqual({
      exact: 1,
      cases: 2,
      counts: { tp: 2, fp: 1, fn: 0 },
      disagreements: ['Mr. X left. Y stayed.'],
    });
  });

  it('has hand-checked cases whose sentences are the text', () => {
    for (const { text, sentences } of SENTENCE_CASES) {
      expect(sentences.join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
    }
  });
});
