import { ourTokenizer, winkTokenizer } from './tokenizers';

const TEXT = 'Mr. Smith went to Washington. He met officials there.';

describe('tokenizers', () => {
  it('split sentences past an abbreviation, ours and wink-nlp alike', () => {
    for (const tokenizer of [ourTokenizer, winkTokenizer('wink', ['sbd'])]) {
      expect(tokenizer.splitSentences(TEXT)).toEqual([
        'Mr. Smith went to Washington.',
        'He met officials there.',
      ]);
    }
  });

  it('count tokens and sentences (ours keeps the full stop of "Mr." apart, wink-nlp does not)', () => {
    expect(ourTokenizer.analyse(TEXT)).toEqual({ tokens: 12, sentences: 2 });
    expect(winkTokenizer('wink', ['sbd']).analyse(TEXT)).toEqual({ tokens: 11, sentences: 2 });
  });
});
