import { type Declaration } from '../eval-lang';
import { DETECTOR_CANDIDATES, iso6393Map } from './language-detectors';

const declaration = (iso6393: string, language: string): Declaration => ({
  id: iso6393,
  tag: language,
  language,
  iso6393,
  name: iso6393,
  paragraphs: [],
});

describe('language detector candidates', () => {
  it('maps ISO 639-3 codes to two-letter ones, first declaration wins', () => {
    const map = iso6393Map([
      declaration('arb', 'ar'),
      declaration('nob', 'no'),
      declaration('arb', 'xx'),
      declaration('haw', 'haw'),
    ]);
    expect([...map]).toEqual([
      ['arb', 'ar'],
      ['nob', 'no'],
    ]);
  });

  it('loads the CommonJS candidates and detects German', async () => {
    const context = { iso6393: new Map<string, string>() };
    // eld and franc-min are ES modules only: jest's CommonJS runtime cannot load them (see the ADR).
    const commonJs = DETECTOR_CANDIDATES.filter(
      (c) => c.name.startsWith('ours') || c.name.startsWith('tinyld'),
    );
    expect(commonJs).toHaveLength(3);
    for (const candidate of commonJs) {
      const detector = await candidate.load(context);
      expect(
        detector.detect('Die Bundesregierung will die Förderung für Wärmepumpen im kommenden Jahr kürzen.'),
      ).toBe('de');
      expect(detector.languages.has('de')).toBe(true);
    }
  });
});
