import { createHash } from 'node:crypto';

import fc from 'fast-check';

import { countWords, parseArticleText, type ParsedArticle, type RejectionCode } from '../index';

const NOW = new Date('2024-06-15T12:00:00Z');
const RUNS = { numRuns: 300 };
const REJECTION_CODES: readonly RejectionCode[] = [
  'EMPTY',
  'NOT_TEXT',
  'BAD_HEADER',
  'BAD_DATE',
  'EMPTY_BODY',
  'TOO_LARGE',
];

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

interface Article {
  publishedAt: string;
  lede: string;
  paragraphs: string[];
}

// Characters that are already in normalized form: no '&' (entities), no whitespace, invisibles,
// controls or combining marks, so a printed article must come back character for character.
const LETTERS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüñßçøÆДжЯїΩλ国会한글ابت'];
const OTHERS = [...'0123456789.,;:!?()[]/"\'-_*#%@+=<>’‘“”—–…«»€'].concat(['😀', '🇺🇦']);
const letterWord = fc.string({ unit: fc.constantFrom(...LETTERS), minLength: 1, maxLength: 10 });
const anyWord = fc.string({ unit: fc.constantFrom(...LETTERS, ...OTHERS), minLength: 1, maxLength: 10 });
// Starting with a letter word guarantees the body has words, which the parser requires.
const line = fc
  .tuple(letterWord, fc.array(anyWord, { maxLength: 12 }))
  .map(([first, rest]) => [first, ...rest].join(' '));

const isoDate = fc
  .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2024-06-16T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

const articleArb: fc.Arbitrary<Article> = fc.record({
  publishedAt: isoDate,
  lede: line,
  paragraphs: fc.array(line, { minLength: 1, maxLength: 6 }),
});

function print({ publishedAt, lede, paragraphs }: Article, eol: string): string {
  return [`date ${publishedAt} ${lede}`, ...paragraphs].join(eol + eol);
}

function parse(text: string): ParsedArticle {
  const result = parseArticleText(utf8(text), { now: NOW });
  if (!result.ok) throw new Error(`rejected: ${result.rejection.code}: ${result.rejection.message}`);
  return result.article;
}

describe('parseArticleText properties', () => {
  it('parses any printed article back to the same fields', () => {
    fc.assert(
      fc.property(
        articleArb,
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        (source, eol, bom, finalNewline) => {
          const printed = (bom ? '\ufeff' : '') + print(source, eol) + (finalNewline ? eol : '');
          const parsed = parse(printed);
          const canonical = `${source.publishedAt}\n${source.lede}\n\n${source.paragraphs.join('\n\n')}`;
          const contentHash = createHash('sha256').update(canonical).digest('hex');
          expect(parsed).toEqual({
            id: contentHash.slice(0, 32),
            contentHash,
            publishedAt: source.publishedAt,
            lede: source.lede,
            paragraphs: source.paragraphs,
            text: source.paragraphs.join('\n\n'),
            wordCount: countWords(source.lede) + source.paragraphs.reduce((sum, p) => sum + countWords(p), 0),
          });
        },
      ),
      RUNS,
    );
  });

  it('gives a messy copy of an article the same id as the clean one', () => {
    fc.assert(
      fc.property(articleArb, fc.array(fc.nat(), { minLength: 1, maxLength: 64 }), (source, choices) => {
        const clean = parse(print(source, '\n'));
        expect(parse(messUp(source, choices))).toEqual(clean);
      }),
      RUNS,
    );
  });

  it('never throws on arbitrary bytes and always answers with an article or a known rejection', () => {
    const headerish = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'date ',
            'Date ',
            '2022-02-22',
            '2024-02-29',
            '1899-12-31',
            '2022-02-30',
            ' ',
            '\t',
          ),
          fc.constantFrom(
            '\n',
            '\r\n',
            '\r',
            '\n\n',
            '&amp;',
            '&#8217;',
            '&#x0;',
            '&nbsp;',
            '&#10;',
            '\u00a0',
          ),
          fc.constantFrom(
            '\u200b',
            '\ufeff',
            '\u2028',
            '’',
            '—',
            'a',
            'Z',
            '9',
            '-',
            '\u0000',
            '\u0001',
            '\u0085',
          ),
          fc.string({ unit: 'grapheme', maxLength: 8 }),
        ),
        { maxLength: 40 },
      )
      .map((parts) => utf8(parts.join('')));
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.string({ unit: 'binary', maxLength: 256 }).map(utf8),
      headerish,
    );

    fc.assert(
      fc.property(bytes, (content) => {
        const result = parseArticleText(content, { now: NOW });
        if (result.ok) {
          const { article } = result;
          expect(article.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
          expect(article.lede).not.toBe('');
          expect(article.paragraphs.length).toBeGreaterThan(0);
          for (const paragraph of article.paragraphs) {
            expect(paragraph).toBe(paragraph.trim());
            expect(paragraph).not.toMatch(/[\r\n]/);
          }
          expect(article.text).toBe(article.paragraphs.join('\n\n'));
          expect(article.id).toBe(article.contentHash.slice(0, 32));
          expect(article.wordCount).toBeGreaterThan(0);
        } else {
          expect(REJECTION_CODES).toContain(result.rejection.code);
          expect(result.rejection.message).toMatch(/^[A-Z].*\.$/s);
        }
      }),
      RUNS,
    );
  });
});

const SPACES = [' ', '  ', '\t', '\u00a0', ' \u202f ', '\u2003', '&nbsp;', '&#160;'];
const INVISIBLES = ['\u200b', '\u200d', '\u2060', '\ufeff', '\u00ad', '&#8203;', '&#x200B;'];
const ENTITIES = new Map<string, readonly string[]>([
  ['’', ['&rsquo;', '&#8217;', '&#x2019;', '&#146;']],
  ['‘', ['&lsquo;', '&#8216;']],
  ['“', ['&ldquo;', '&#x201C;']],
  ['”', ['&rdquo;', '&#148;']],
  ['—', ['&mdash;', '&#8212;']],
  ['–', ['&ndash;']],
  ['…', ['&hellip;']],
  ['"', ['&quot;']],
  ["'", ['&apos;', '&#39;']],
  ['<', ['&lt;']],
  ['>', ['&gt;']],
]);
const EOLS = ['\n', '\r\n', '\r'];

/**
 * Prints an article the way a careless tool chain would: random line endings, padding, odd spaces,
 * invisible characters, entities and extra blank lines. `choices` drives every decision, so
 * fast-check can shrink a failure to a small example.
 */
function messUp(source: Article, choices: readonly number[]): string {
  let next = 0;
  const pick = <T>(options: readonly T[]): T => options[choices[next++ % choices.length] % options.length];
  const chance = (inN: number): boolean => choices[next++ % choices.length] % inN === 0;

  const messChar = (char: string): string => {
    const invisible = chance(6) ? pick(INVISIBLES) : '';
    if (char === ' ') return invisible + pick(SPACES);
    const entities = ENTITIES.get(char);
    return invisible + (entities !== undefined && chance(2) ? pick(entities) : char);
  };
  const padding = (): string => (chance(2) ? '' : pick(SPACES));
  const messLine = (text: string): string => padding() + Array.from(text, messChar).join('') + padding();
  const eol = pick(EOLS);
  const blankLines = (): string[] => Array.from({ length: pick([0, 0, 1, 2]) }, padding);

  const lines = [
    ...blankLines(),
    messLine(`date ${source.publishedAt} ${source.lede}`),
    ...source.paragraphs.flatMap((paragraph) => [...blankLines(), messLine(paragraph)]),
    ...blankLines(),
  ];
  return (chance(2) ? '\ufeff' : '') + lines.join(eol) + (chance(2) ? eol : '');
}
