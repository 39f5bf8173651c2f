import { analyseText } from './tokenize';

describe('analyseText', () => {
  it('splits sentences at full stops, but not after abbreviations or inside quotes', () => {
    const text = 'Mr. Smith went to Washington. He said “It is fine.” Then he left!\n\nA new paragraph';
    const { sentences } = analyseText(text);
    expect(sentences.map((s) => text.slice(s.start, s.end))).toEqual([
      'Mr. Smith went to Washington.',
      'He said “It is fine.”',
      'Then he left!',
      'A new paragraph',
    ]);
  });

  it('keeps offsets, apostrophes and acronyms in tokens', () => {
    const text = 'Ukraine’s U.S. ally paid $1,500.50 in 2022';
    const tokens = analyseText(text).tokens;
    expect(tokens.map((t) => t.text)).toEqual([
      'Ukraine’s',
      'U.S.',
      'ally',
      'paid',
      '$',
      '1,500.50',
      'in',
      '2022',
    ]);
    for (const token of tokens) expect(text.slice(token.start, token.end)).toBe(token.text);
    expect(tokens[0]?.kind).toBe('word');
    expect(tokens[4]?.kind).toBe('other');
    expect(tokens[5]?.kind).toBe('number');
  });
});
