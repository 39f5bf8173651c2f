import { enrichedArticle } from './enriched-article.fixture';
import {
  DEEP_PAGE,
  QUERY_TYPES,
  QUERY_WEIGHTS,
  type Vocabulary,
  buildQueryMix,
  corpusVocabulary,
  requestPath,
  seededRandom,
} from './query-mix';
import { entityId } from './table-rows';

const vocabulary: Vocabulary = {
  common: ['oil', 'bank'],
  medium: ['wheat', 'tin'],
  rare: ['cocoa'],
  phrases: ['crude oil'],
  entities: [{ type: 'ORGANIZATION', name: 'OPEC' }],
  months: ['1987-02', '1987-03'],
};

describe('buildQueryMix', () => {
  it('gives the same requests for the same seed and others for another', () => {
    expect(buildQueryMix(vocabulary, 50, 7)).toEqual(buildQueryMix(vocabulary, 50, 7));
    expect(buildQueryMix(vocabulary, 50, 8)).not.toEqual(buildQueryMix(vocabulary, 50, 7));
  });

  it('draws every kind about as often as its weight says, each with a text query', () => {
    const mix = buildQueryMix(vocabulary, 13_000, 1);
    const total = QUERY_TYPES.reduce((sum, type) => sum + QUERY_WEIGHTS[type], 0);
    for (const type of QUERY_TYPES) {
      const share = mix.filter((request) => request.type === type).length / mix.length;
      expect(Math.abs(share - QUERY_WEIGHTS[type] / total)).toBeLessThan(0.02);
    }
    for (const request of mix)
      expect(request.params.some(([name, value]) => name === 'q' && value !== '')).toBe(true);
  });

  it('writes each kind in the API syntax', () => {
    const mix = buildQueryMix(vocabulary, 2_000, 3);
    const of = (type: string) => mix.find((request) => request.type === type);
    expect(of('phrase')?.params).toEqual([['q', '"crude oil"']]);
    expect(of('or')?.params[0]?.[1]).toMatch(/^(wheat|tin) or (wheat|tin)$/);
    expect(of('exclude')?.params[0]?.[1]).toMatch(/^(oil|bank) -(wheat|tin)$/);
    expect(of('relevance')?.params).toContainEqual(['sort', 'relevance']);
    expect(of('collapse')?.params).toContainEqual(['collapseDuplicates', 'true']);
    expect(of('deep-page')?.page).toBe(DEEP_PAGE);
    const date = new URLSearchParams(of('date')?.params);
    expect([
      ['1987-02-01', '1987-02-28'],
      ['1987-03-01', '1987-03-31'],
    ]).toContainEqual([date.get('from'), date.get('to')]);
    const entities = mix
      .filter((request) => request.type === 'entity')
      .map((request) => request.params[1]?.[1]);
    expect(new Set(entities)).toEqual(new Set(['opec', entityId('ORGANIZATION', 'OPEC')]));
  });

  it('refuses a vocabulary that lacks what a kind needs', () => {
    expect(() => buildQueryMix({ ...vocabulary, phrases: [] }, 10, 1)).toThrow(/phrases/);
  });
});

describe('requestPath', () => {
  it('encodes the parameters and adds the cursor of a deep page', () => {
    expect(requestPath({ type: 'phrase', params: [['q', '"crude oil"']] })).toBe(
      '/api/articles?q=%22crude+oil%22',
    );
    expect(requestPath({ type: 'deep-page', params: [['q', 'oil']], page: 3 }, 'abc=')).toBe(
      '/api/articles?q=oil&cursor=abc%3D',
    );
  });
});

describe('corpusVocabulary', () => {
  it('sorts words by how many articles have them, leaving out stop words, and finds pairs, entities and months', () => {
    const articles = Array.from({ length: 40 }, (_, index) =>
      enrichedArticle(
        `Crude oil prices ${index}`,
        index % 4 === 0 ? 'Crude oil rose and wheat fell, they said.' : 'Crude oil rose, they said.',
        { entities: [{ name: 'OPEC', type: 'ORGANIZATION', mentions: 1, salience: 0.5, offsets: [[0, 4]] }] },
        index < 30 ? '1987-03-02' : '1987-04-01',
      ),
    );
    const found = corpusVocabulary(articles);
    // In every article: too common for the "common" band (over 30%).
    expect(found.common).not.toContain('crude');
    expect(found.common).toContain('wheat');
    expect(found.common).not.toContain('they');
    expect(found.phrases).toContain('crude oil');
    expect(found.entities).toEqual([{ type: 'ORGANIZATION', name: 'OPEC' }]);
    expect(found.months).toEqual(['1987-03', '1987-04']);
  });
});

describe('seededRandom', () => {
  it('repeats for a seed and stays in [0, 1)', () => {
    const first = seededRandom(42);
    const second = seededRandom(42);
    const values = Array.from({ length: 1000 }, () => first());
    expect(values).toEqual(Array.from({ length: 1000 }, () => second()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  });
});
