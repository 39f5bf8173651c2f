import { EnrichmentV1Schema } from '@newsflow/contracts';

import { loadSample } from '../__fixtures__/sample';
import { ENRICHMENT_VERSION, enrichArticle } from './enrich-article';
import { detectLanguage } from './language';

describe('enrichArticle', () => {
  const english = {
    lede: 'The decision was passed unanimously by MPs',
    text: 'Russian lawmakers have voted in favor of ratifying agreements underpinning political cooperation and military support for the two breakaway republics.',
    wordCount: 460,
  };

  it('derives language, reading time and version', () => {
    const enrichment = enrichArticle(english, { now: new Date('2026-01-01T00:00:00Z') });
    expect(enrichment.language.code).toBe('en');
    expect(enrichment.language.confidence).toBeGreaterThan(0.5);
    expect(enrichment.readingTimeSeconds).toBe(120);
    expect(enrichment.wordCount).toBe(460);
    expect(enrichment.enrichmentVersion).toBe(ENRICHMENT_VERSION);
    expect(ENRICHMENT_VERSION).toBe(3);
    expect(enrichment.enrichedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('still accepts the enrichment time as a Date', () => {
    expect(enrichArticle(english, new Date('2026-01-01T00:00:00Z')).enrichedAt).toBe(
      '2026-01-01T00:00:00.000Z',
    );
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

  describe('on the sample article', () => {
    const sample = loadSample();
    const enrichment = enrichArticle(sample, { publishedAt: sample.publishedAt, now: new Date(0) });

    it('matches the contract', () => {
      expect(EnrichmentV1Schema.safeParse(enrichment).success).toBe(true);
    });

    it('finds the people, organisations and places a reader finds', () => {
      const names = (type: string): string[] =>
        (enrichment.entities ?? []).filter((e) => e.type === type).map((e) => e.name);
      expect(names('PERSON')).toEqual(expect.arrayContaining(['Vladimir Putin', 'Aleksey Danilov']));
      expect(names('ORGANIZATION')).toEqual(
        expect.arrayContaining(['Duma', 'NATO', "Ukraine's National Security and Defense Council"]),
      );
      expect(names('LOCATION')).toEqual(
        expect.arrayContaining(['Russia', 'Ukraine', 'Donetsk', 'Lugansk', 'Donbass', 'Kiev']),
      );
      expect(names('PERSON')).not.toContain('Putin');
    });

    it('finds the amounts and resolves "on Tuesday" to the publication day', () => {
      expect(enrichment.amounts?.map((a) => a.text)).toEqual(['400 MPs', '351 MPs', '16 lawmakers']);
      expect(enrichment.dates).toEqual(
        expect.arrayContaining([expect.objectContaining({ text: 'Tuesday', date: '2022-02-22' })]),
      );
    });

    it('attributes the quotes to Putin and Danilov', () => {
      const speakers = new Set(enrichment.quotes?.map((q) => q.speaker));
      expect(speakers).toEqual(new Set(['Vladimir Putin', 'Aleksey Danilov']));
    });

    it('keeps offsets that point at the text', () => {
      for (const entity of enrichment.entities ?? []) {
        for (const [start, end] of entity.offsets) {
          const surface = sample.text.slice(start, end).replace(/’/g, "'");
          expect([entity.name, ...(entity.aliases ?? [])]).toContain(surface);
        }
      }
      for (const amount of enrichment.amounts ?? []) {
        expect(sample.text.slice(...amount.offsets)).toBe(amount.text);
      }
      for (const quote of enrichment.quotes ?? [])
        expect(sample.text.slice(...quote.offsets)).toBe(quote.text);
    });

    it('summarises, hashes and scores', () => {
      expect(enrichment.summary).toMatch(/^Russian lawmakers have voted/);
      expect(enrichment.simhash).toMatch(/^[0-9a-f]{16}$/);
      expect(enrichment.sentiment?.score).toBeGreaterThanOrEqual(-1);
      expect(enrichment.sentiment?.score).toBeLessThanOrEqual(1);
      expect(enrichment.keywords?.length).toBeGreaterThan(0);
    });
  });
});
