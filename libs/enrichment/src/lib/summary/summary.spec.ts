import { analyseText } from '../text/tokenize';
import { summarise } from './summary';

describe('summarise', () => {
  it('picks sentences in their original order', () => {
    const text = [
      'The central bank raised interest rates on Thursday.',
      'Analysts had expected the bank to raise rates.',
      'The weather was mild.',
      'Interest rates are now at their highest level since 2008, the bank said.',
    ].join(' ');
    const summary = summarise(analyseText(text));
    expect(summary.startsWith('The central bank raised interest rates on Thursday.')).toBe(true);
    expect(summary).not.toContain('weather');
  });

  it('returns an empty summary for an empty text', () => {
    expect(summarise(analyseText(''))).toBe('');
  });
});
