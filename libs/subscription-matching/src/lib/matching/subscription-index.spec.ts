import fc from 'fast-check';

import { enrichedEvent } from '../__test-helpers__/enriched-event';
import { referenceMatch } from '../__test-helpers__/reference-matcher';
import { entityId } from '../filter/entity-id';
import { type SubscriptionFilterInput, validateSubscriptionFilter } from '../filter/subscription-filter';
import { matchableArticle } from './matchable-article';
import { SubscriptionIndex } from './subscription-index';

interface TestSubscription {
  id: string;
  filter: ReturnType<typeof validFilter>;
}

function validFilter(input: SubscriptionFilterInput) {
  const result = validateSubscriptionFilter(input);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.filter;
}

const subscription = (id: string, filter: SubscriptionFilterInput): TestSubscription => ({
  id,
  filter: validFilter(filter),
});

function matchIds(index: SubscriptionIndex<TestSubscription>, spec: Parameters<typeof enrichedEvent>[0]) {
  return index
    .match(matchableArticle(enrichedEvent(spec)))
    .map((match) => match.subscription.id)
    .sort();
}

describe('SubscriptionIndex', () => {
  const text =
    'Kiev’s attempts to “drag foreign states into conflict” with its efforts to join NATO. President Vladimir Putin said interest rates rose.';

  it('matches keywords as whole words and phrases, any case, and reports them as written', () => {
    const index = SubscriptionIndex.build([
      subscription('s1', { keywords: ['Putin', 'Merkel'] }),
      subscription('s2', { keywords: ['Biden'] }),
      subscription('s3', { keywords: ['nato', 'vladimir   putin'] }),
      subscription('s4', { keywords: ['NAT', 'resident'] }),
    ]);
    const matches = index.match(matchableArticle(enrichedEvent({ text })));
    expect(
      matches
        .map((m) => ({ id: m.subscription.id, terms: m.matchedTerms }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    ).toEqual([
      { id: 's1', terms: ['Putin'] },
      { id: 's3', terms: ['nato', 'vladimir putin'] },
    ]);
  });

  it('evaluates AND, OR, NOT and phrases', () => {
    const index = SubscriptionIndex.build([
      subscription('phrase', { query: '"interest rates" AND (ECB OR Putin)' }),
      subscription('excluded', { query: '"interest rates" NOT crypto' }),
      subscription('excluded-hit', { query: 'NATO -Putin' }),
      subscription('order', { query: '"rates interest"' }),
      subscription('only-not', { query: 'NOT bitcoin' }),
    ]);
    expect(matchIds(index, { text })).toEqual(['excluded', 'only-not', 'phrase']);
  });

  it('does not let a phrase span the title, lede and body', () => {
    const index = SubscriptionIndex.build([subscription('s', { query: '"markets oil"' })]);
    expect(matchIds(index, { title: 'Markets', lede: 'Oil rises', text: 'Nothing' })).toEqual([]);
    expect(matchIds(index, { lede: 'Markets oil', text: 'Nothing' })).toEqual(['s']);
  });

  it('filters by entity id or name (any case, with or without type), any or all, and salience', () => {
    const entities = [
      { name: 'Vladimir Putin', type: 'PERSON' as const, salience: 0.6 },
      { name: 'Georgia', type: 'LOCATION' as const, salience: 0.1 },
    ];
    const index = SubscriptionIndex.build([
      subscription('by-id', { entities: { items: [{ id: entityId('PERSON', 'Vladimir Putin') }] } }),
      subscription('by-name', { entities: { items: [{ name: 'vladimir putin' }] } }),
      subscription('wrong-type', { entities: { items: [{ name: 'Georgia', type: 'PERSON' }] } }),
      subscription('all', {
        entities: { match: 'all', items: [{ name: 'Georgia' }, { name: 'Vladimir Putin' }] },
      }),
      subscription('all-missing', {
        entities: { match: 'all', items: [{ name: 'Georgia' }, { name: 'Joe Biden' }] },
      }),
      subscription('salient', { entities: { items: [{ name: 'Georgia' }], minSalience: 0.5 } }),
    ]);
    expect(matchIds(index, { text, entities })).toEqual(['all', 'by-id', 'by-name']);
    const [byName] = index
      .match(matchableArticle(enrichedEvent({ text, entities })))
      .filter((m) => m.subscription.id === 'all');
    expect(byName?.matchedEntities.map((entity) => entity.name).sort()).toEqual([
      'Georgia',
      'Vladimir Putin',
    ]);
  });

  it('filters by language, sentiment and source; subscriptions without keys are always checked', () => {
    const index = SubscriptionIndex.build([
      subscription('german', { languages: ['de'] }),
      subscription('negative', { sentiment: { max: -0.2 } }),
      subscription('reuters', { sources: { publishers: ['REUTERS'] } }),
      subscription('prefix', { sources: { prefixes: ['s3-bucket/wires/'] } }),
    ]);
    expect(index.stats()).toMatchObject({ subscriptions: 4, alwaysChecked: 2 });
    expect(matchIds(index, { text, language: 'de', sentiment: -0.5 })).toEqual(['german', 'negative']);
    expect(matchIds(index, { text, sentiment: 0.1, publisher: 'Reuters' })).toEqual(['reuters']);
    expect(matchIds(index, { text, source: { bucket: 's3-bucket', key: 'wires/a.json' } })).toEqual([
      'prefix',
    ]);
    // No sentiment at all: a sentiment filter does not match.
    expect(matchIds(index, { text })).toEqual([]);
  });

  it('skips (and reports) a stored filter that no longer compiles instead of failing the index', () => {
    const broken = { id: 'broken', filter: { version: 1 as const, query: 'a AND' } };
    const index = SubscriptionIndex.build([broken, subscription('fine', { keywords: ['NATO'] })]);
    expect(index.stats()).toMatchObject({ subscriptions: 1, skipped: [{ id: 'broken' }] });
    expect(matchIds(index, { text })).toEqual(['fine']);
  });

  describe('property: the index gives exactly the matches of testing every subscription', () => {
    const words = ['nato', 'putin', 'ecb', 'fed', 'rates', 'interest', 'crypto', 'oil', 'kyiv', 'duma'];
    const people = [
      { name: 'Vladimir Putin', type: 'PERSON' as const },
      { name: 'NATO', type: 'ORGANIZATION' as const },
      { name: 'Kyiv', type: 'LOCATION' as const },
      { name: 'Georgia', type: 'LOCATION' as const },
      { name: 'Georgia', type: 'PERSON' as const },
      { name: 'Euro', type: 'MISC' as const },
    ];
    const word = fc.constantFrom(...words, ...words.map((w) => w.toUpperCase()));
    const separator = fc.constantFrom(' ', ' ', ', ', '. ', '-', '\n\n');
    const textArb = fc
      .array(fc.tuple(word, separator), { maxLength: 30 })
      .map((pairs) => pairs.map(([w, s]) => `${w}${s}`).join('') || 'nothing');
    const article = fc.record({
      title: fc.option(textArb, { nil: undefined }),
      lede: textArb,
      text: textArb,
      language: fc.constantFrom('en', 'de', 'fr'),
      sentiment: fc.option(
        fc.integer({ min: -10, max: 10 }).map((n) => n / 10),
        { nil: undefined },
      ),
      publisher: fc.option(fc.constantFrom('Reuters', 'AP', 'reuters'), { nil: undefined }),
      source: fc.constantFrom(
        { bucket: 'local', key: 'reuters/a.txt' },
        { bucket: 's3', key: 'wires/b.json' },
      ),
      entities: fc
        .subarray(people)
        .chain((chosen) =>
          fc.tuple(
            ...chosen.map((entity) =>
              fc.integer({ min: 0, max: 10 }).map((s) => ({ ...entity, salience: s / 10 })),
            ),
          ),
        ),
    });

    const leaf = fc.oneof(
      word,
      fc.tuple(word, word).map(([a, b]) => `"${a} ${b}"`),
    );
    const queryArb = fc.letrec<{ node: string }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc
          .tuple(tie('node'), fc.constantFrom(' AND ', ' OR ', ' ', ' -', ' NOT '), tie('node'))
          .map(([left, operator, right]) => `${left}${operator}(${right})`),
        tie('node').map((inner) => `NOT (${inner})`),
      ),
    })).node;
    const entityRef = fc.oneof(
      fc.constantFrom(...people).map((entity) => ({ id: entityId(entity.type, entity.name) })),
      fc.record({
        name: fc.constantFrom('vladimir putin', 'Georgia', 'KYIV', 'Joe Biden'),
        type: fc.option(fc.constantFrom('PERSON' as const, 'LOCATION' as const), { nil: undefined }),
      }),
    );
    const constraints = {
      query: queryArb,
      keywords: fc.array(
        fc.oneof(
          word,
          fc.tuple(word, word).map(([a, b]) => `${a} ${b}`),
        ),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      entities: fc.record({
        match: fc.constantFrom('any' as const, 'all' as const),
        items: fc.array(entityRef, { minLength: 1, maxLength: 3 }),
        minSalience: fc.integer({ min: 0, max: 10 }).map((s) => s / 10),
      }),
      languages: fc.subarray(['en', 'de', 'fr'], { minLength: 1 }),
      sentiment: fc.record({ min: fc.integer({ min: -10, max: 0 }).map((n) => n / 10) }),
      sources: fc.oneof(
        fc.record({ publishers: fc.constant(['REUTERS']) }),
        fc.record({ prefixes: fc.constant(['local/']) }),
        fc.record({ publishers: fc.constant(['ap']), prefixes: fc.constant(['s3/wires/']) }),
      ),
    };
    // One to three constraints: more, ANDed, would hardly ever match and the property would say little.
    const filterArb = fc
      .subarray(Object.keys(constraints) as (keyof typeof constraints)[], { minLength: 1, maxLength: 3 })
      .chain((keys) => fc.record(Object.fromEntries(keys.map((key) => [key, constraints[key]]))))
      .map((filter) => validFilter(filter as SubscriptionFilterInput));

    it('holds for random subscriptions and articles', () => {
      fc.assert(
        fc.property(
          fc.array(filterArb, { minLength: 1, maxLength: 40 }),
          fc.array(article, { minLength: 1, maxLength: 5 }),
          (filters, articles) => {
            const subscriptions = filters.map((filter, index) => ({ id: `s${index}`, filter }));
            const index = SubscriptionIndex.build(subscriptions);
            for (const spec of articles) {
              const event = enrichedEvent(spec);
              const actual = index
                .match(matchableArticle(event))
                .map((match) => ({
                  id: match.subscription.id,
                  terms: [...match.matchedTerms].sort(),
                  entities: match.matchedEntities.map((entity) => entity.name).sort(),
                }))
                .sort((a, b) => a.id.localeCompare(b.id));
              const expected = subscriptions
                .flatMap((sub) => {
                  const found = referenceMatch(sub.filter, event);
                  return found
                    ? [
                        {
                          id: sub.id,
                          terms: [...found.matchedTerms].sort(),
                          entities: [...found.matchedEntityNames].sort(),
                        },
                      ]
                    : [];
                })
                .sort((a, b) => a.id.localeCompare(b.id));
              expect(actual).toEqual(expected);
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('is not vacuous: random subscriptions do match random articles, and not all of them', () => {
      let matched = 0;
      let tested = 0;
      fc.assert(
        fc.property(filterArb, article, (filter, spec) => {
          tested += 1;
          if (referenceMatch(filter, enrichedEvent(spec))) matched += 1;
        }),
        { numRuns: 500 },
      );
      expect(matched / tested).toBeGreaterThan(0.05);
      expect(matched / tested).toBeLessThan(0.95);
    });
  });
});
