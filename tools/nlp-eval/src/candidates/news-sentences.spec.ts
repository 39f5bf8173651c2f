import { newsSamples } from './news-sentences';

describe('hand-written news sentences', () => {
  it('gives three sentences of news length and one paragraph per language', () => {
    const samples = newsSamples();
    const languages = new Set(samples.map((s) => s.language));
    expect(languages.size).toBeGreaterThanOrEqual(15);
    for (const language of languages) {
      const own = samples.filter((s) => s.language === language);
      expect(own.map((s) => s.length)).toEqual(['sentence', 'sentence', 'sentence', 'paragraph']);
      expect(own[3]?.text).toBe(
        own
          .slice(0, 3)
          .map((s) => s.text)
          .join(' '),
      );
    }
    for (const s of samples.filter((x) => x.length === 'sentence')) {
      expect(s.text.length).toBeGreaterThanOrEqual(60);
      expect(s.text.length).toBeLessThanOrEqual(130);
    }
  });
});
