import { analyseText } from '../text/tokenize';
import { createDocumentFrequencies, extractKeywords, keywordCandidates, observeDocument } from './keywords';

describe('keywords', () => {
  const text =
    'Interest rates went up again. The central bank said interest rates would stay high, and the central bank is meeting in May.';

  it('extracts phrases between stopwords', () => {
    const candidates = keywordCandidates(analyseText(text));
    const count = (phrase: string) => candidates.find((c) => c.phrase === phrase)?.count;
    expect(count('interest rates')).toBe(2);
    expect(count('central bank')).toBe(2);
  });

  it('weights phrases down that many documents of the stream contain', () => {
    const frequencies = createDocumentFrequencies();
    for (let i = 0; i < 10; i++) observeDocument(frequencies, ['interest rates']);
    observeDocument(frequencies, ['central bank']);
    const keywords = extractKeywords(analyseText(text), frequencies);
    const rank = (phrase: string): number => keywords.findIndex((k) => k.text === phrase);
    expect(rank('central bank')).toBeLessThan(rank('interest rates'));
    expect(frequencies.documents).toBe(11);
  });
});
