import { ENRICHMENT_VERSION, enrichArticle } from './enrich-article';
import { detectLanguage } from './language';

describe('enrichArticle', () => {
  const english = {
    lede: 'The decision was passed unanimously by MPs',
    text: 'Russian lawmakers have voted in favor of ratifying agreements underpinning political cooperation and military support for the two breakaway republics.',
    wordCount: 460,
  };

  it('derives language, reading time and version', () => {
    const enrichment = enrichArticle(english, new Date('2026-01-01T00:00:00Z'));
    expect(enrichment.language.code).toBe('en');
    expect(enrichment.language.confidence).toBeGreaterThan(0.5);
    expect(enrichment.readingTimeSeconds).toBe(120);
    expect(enrichment.wordCount).toBe(460);
    expect(enrichment.enrichmentVersion).toBe(ENRICHMENT_VERSION);
    expect(enrichment.enrichedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('tells languages apart', () => {
    expect(
      detectLanguage('Der Bundestag hat am Dienstag mit großer Mehrheit einem neuen Gesetz zugestimmt.').code,
    ).toBe('de');
    expect(
      detectLanguage('Le Parlement a adopté mardi à une large majorité le projet de loi du gouvernement.')
        .code,
    ).toBe('fr');
  });

  it('says undetermined for too little text', () => {
    expect(detectLanguage('12 34 !!')).toEqual({ code: 'und', confidence: 0 });
  });
});
