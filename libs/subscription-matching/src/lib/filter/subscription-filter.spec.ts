import { entityId } from './entity-id';
import { filterFromKeywords, validateSubscriptionFilter } from './subscription-filter';

describe('subscription filters', () => {
  it('accepts a full filter and fills in the version and defaults', () => {
    const result = validateSubscriptionFilter({
      query: '"interest rates" AND (ECB OR Fed) NOT crypto',
      entities: { items: [{ name: 'Christine Lagarde', type: 'PERSON' }, { id: 'a'.repeat(32) }] },
      languages: ['EN', 'de'],
      sentiment: { min: -0.5 },
      sources: { publishers: ['Reuters'], prefixes: ['local/reuters/'] },
    });
    expect(result).toEqual({
      ok: true,
      filter: {
        version: 1,
        query: '"interest rates" AND (ECB OR Fed) NOT crypto',
        entities: {
          match: 'any',
          minSalience: 0,
          items: [{ name: 'Christine Lagarde', type: 'PERSON' }, { id: 'a'.repeat(32) }],
        },
        languages: ['en', 'de'],
        sentiment: { min: -0.5 },
        sources: { publishers: ['Reuters'], prefixes: ['local/reuters/'] },
      },
    });
  });

  it('maps keywords to a filter of their own', () => {
    expect(filterFromKeywords(['Putin', 'NATO'])).toEqual({ version: 1, keywords: ['Putin', 'NATO'] });
    expect(validateSubscriptionFilter(filterFromKeywords(['Putin'])).ok).toBe(true);
  });

  it('reports a query syntax error with its position and reason', () => {
    expect(validateSubscriptionFilter({ query: 'ECB AND (Fed OR' })).toEqual({
      ok: false,
      problems: [
        {
          path: 'query',
          position: 15,
          reason: 'unexpected end of query after OR: expected a word, a "phrase" or (',
        },
      ],
    });
  });

  it.each([
    ['an empty filter', {}, '', 'needs at least one of'],
    ['an unknown field', { keywords: ['a'], colour: 'red' }, '', 'Unrecognized key'],
    ['another version', { version: 2, keywords: ['a'] }, 'version', 'expected 1'],
    ['a keyword without letters', { keywords: ['ok', '--'] }, 'keywords.1', 'has no letters or digits'],
    [
      'an entity with id and name',
      { entities: { items: [{ id: 'a'.repeat(32), name: 'X' }] } },
      'entities.items.0',
      'either id or name',
    ],
    [
      'an entity with id and type',
      { entities: { items: [{ id: 'a'.repeat(32), type: 'PERSON' }] } },
      'entities.items.0.type',
      'give type only with name',
    ],
    [
      'a malformed entity id',
      { entities: { items: [{ id: 'Putin' }] } },
      'entities.items.0.id',
      '32 lowercase hex',
    ],
    [
      'an unknown entity type',
      { entities: { items: [{ name: 'X', type: 'ANIMAL' }] } },
      'entities.items.0.type',
      'Invalid option',
    ],
    ['no entity items', { entities: { items: [] } }, 'entities.items', 'Too small'],
    [
      'a salience above 1',
      { entities: { items: [{ name: 'X' }], minSalience: 2 } },
      'entities.minSalience',
      'Too big',
    ],
    ['a bad language', { languages: ['english'] }, 'languages.0', 'ISO 639'],
    [
      'an inverted sentiment range',
      { sentiment: { min: 0.5, max: -0.5 } },
      'sentiment',
      'min must not be above max',
    ],
    ['an empty sentiment range', { sentiment: {} }, 'sentiment', 'give min, max or both'],
    ['sentiment out of range', { sentiment: { max: 3 } }, 'sentiment.max', 'Too big'],
    ['empty sources', { sources: {} }, 'sources', 'give publishers, prefixes or both'],
  ])('refuses %s, naming where and why', (_label, input, path, reason) => {
    const result = validateSubscriptionFilter(input);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toContainEqual(
      expect.objectContaining({ path, reason: expect.stringContaining(reason) }),
    );
  });

  it('computes entity ids as storage does: md5 of TYPE:name, in hex', () => {
    // Computed by Postgres 15 (UTF-8): SELECT md5('LOCATION:Kyiv'), md5('MISC:Zürich').
    expect(entityId('LOCATION', 'Kyiv')).toBe('b2d1019fb31dd6f99f90d86dfeea4e59');
    expect(entityId('MISC', 'Zürich')).toBe('a0a3315faec81046978da45eae79103a');
    expect(entityId('PERSON', 'Kyiv')).not.toBe(entityId('LOCATION', 'Kyiv'));
  });
});
