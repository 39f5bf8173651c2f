import fc from 'fast-check';

import { formatQuery, parseQuery } from './parse-query';
import { type QueryNode } from './query-ast';
import { QuerySyntaxError } from './query-syntax-error';

const term = (text: string, tokens = [text.toLowerCase()]): QueryNode => ({ kind: 'term', text, tokens });

function syntaxErrorOf(query: string): { position: number; reason: string } {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof QuerySyntaxError) return { position: error.position, reason: error.reason };
    throw error;
  }
  throw new Error(`${query} parsed`);
}

describe('parseQuery', () => {
  it('parses the example of the documentation', () => {
    expect(parseQuery('"interest rates" AND (ECB OR Fed) NOT crypto')).toEqual({
      kind: 'and',
      children: [
        { kind: 'term', text: 'interest rates', tokens: ['interest', 'rates'] },
        { kind: 'or', children: [term('ECB'), term('Fed')] },
        { kind: 'not', child: term('crypto') },
      ],
    });
  });

  it('ANDs words side by side; AND binds tighter than OR', () => {
    expect(parseQuery('a b OR c AND d')).toEqual({
      kind: 'or',
      children: [
        { kind: 'and', children: [term('a'), term('b')] },
        { kind: 'and', children: [term('c'), term('d')] },
      ],
    });
  });

  it('flattens nested ANDs and ORs and removes double negation', () => {
    expect(parseQuery('a AND (b AND (c))')).toEqual({
      kind: 'and',
      children: [term('a'), term('b'), term('c')],
    });
    expect(parseQuery('(a OR b) OR c')).toEqual({ kind: 'or', children: [term('a'), term('b'), term('c')] });
    expect(parseQuery('NOT NOT a')).toEqual(term('a'));
  });

  it('reads -word, -"phrase" and -( ) as NOT, but not a hyphen inside a word', () => {
    expect(parseQuery('nato -"peace talks" -(a OR b)')).toEqual({
      kind: 'and',
      children: [
        term('nato'),
        { kind: 'not', child: { kind: 'term', text: 'peace talks', tokens: ['peace', 'talks'] } },
        { kind: 'not', child: { kind: 'or', children: [term('a'), term('b')] } },
      ],
    });
    expect(parseQuery('COVID-19')).toEqual({ kind: 'term', text: 'COVID-19', tokens: ['covid', '19'] });
  });

  it('treats lower-case and, or, not as words', () => {
    expect(parseQuery('rock and roll')).toEqual({
      kind: 'and',
      children: [term('rock'), term('and'), term('roll')],
    });
  });

  it('normalizes terms: case, width and punctuation inside phrases', () => {
    expect(parseQuery('"  Vladimir   PUTIN, " ')).toEqual({
      kind: 'term',
      text: 'Vladimir PUTIN,',
      tokens: ['vladimir', 'putin'],
    });
    expect(parseQuery('ＮＡＴＯ')).toEqual({ kind: 'term', text: 'ＮＡＴＯ', tokens: ['nato'] });
  });

  it.each([
    ['', 0, 'the query is empty'],
    ['   ', 3, 'the query is empty'],
    ['"interest rates', 0, 'unterminated phrase: the " has no closing "'],
    ['a AND', 5, 'unexpected end of query after AND: expected a word, a "phrase" or ('],
    ['a OR OR b', 5, 'unexpected OR: expected a word, a "phrase" or ('],
    ['AND a', 0, 'unexpected AND: expected a word, a "phrase" or ('],
    ['(a OR b', 7, 'missing ) to close the ( at position 0'],
    ['a) b', 1, 'unexpected ): no ( to close'],
    ['a ()', 3, 'unexpected ): expected a word, a "phrase" or ('],
    ['nato && otan', 5, '"&&" has no letters or digits to search for'],
    ['a ""', 2, 'empty phrase'],
    ['NOT', 3, 'unexpected end of query after NOT: expected a word, a "phrase" or ('],
  ])('refuses %j at position %i: %s', (query, position, reason) => {
    expect(syntaxErrorOf(query)).toEqual({ position, reason });
  });

  it('bounds length, terms and depth', () => {
    expect(syntaxErrorOf('a'.repeat(2_001)).reason).toMatch(/too long/);
    const manyTerms = Array.from({ length: 101 }, (_, i) => `w${i}`).join(' OR ');
    expect(syntaxErrorOf(manyTerms)).toEqual({
      position: manyTerms.indexOf('w100'),
      reason: 'too many terms (at most 100)',
    });
    expect(syntaxErrorOf(`${'('.repeat(25)}a${')'.repeat(25)}`).reason).toMatch(/nested too deeply/);
  });

  it('the message names the position', () => {
    expect(() => parseQuery('a OR')).toThrow(
      'unexpected end of query after OR: expected a word, a "phrase" or ( at position 4',
    );
  });

  describe('property: formatting a parsed query and parsing it again gives the same tree', () => {
    const word = fc.constantFrom('nato', 'Putin', 'ECB', 'rates', 'COVID-19', 'Zürich', 'or', 'and');
    const leaf = fc.oneof(
      word,
      fc.array(word, { minLength: 1, maxLength: 3 }).map((words) => `"${words.join(' ')}"`),
    );
    const query = fc.letrec<{ node: string }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        leaf,
        fc
          .tuple(tie('node'), fc.constantFrom(' AND ', ' OR ', ' ', ' -', ' NOT '), tie('node'))
          .map(([left, operator, right]) => `${left}${operator}(${right})`),
        tie('node').map((inner) => `(${inner})`),
      ),
    })).node;

    it('holds for random queries', () => {
      fc.assert(
        fc.property(query, (text) => {
          const parsed = parseQuery(text);
          expect(parseQuery(formatQuery(parsed))).toEqual(parsed);
        }),
      );
    });
  });
});
