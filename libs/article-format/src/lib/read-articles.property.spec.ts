import fc from 'fast-check';

import { parseArticleText, type ArticleRecord, type ParsedArticle, type RejectionCode } from '../index';
import { chunked, collect, gzip, NOW, utf8 } from './__test-helpers__/streams';

const RUNS = { numRuns: 200 };
const REJECTION_CODES: readonly RejectionCode[] = [
  'EMPTY',
  'NOT_TEXT',
  'BAD_HEADER',
  'BAD_DATE',
  'EMPTY_BODY',
  'TOO_LARGE',
  'BAD_JSON',
  'MISSING_FIELD',
  'UNKNOWN_FORMAT',
  'BAD_GZIP',
];

interface Article {
  publishedAt: string;
  lede: string;
  paragraphs: string[];
}

// As in the text parser's properties: characters already in normalized form, so that both the printed
// text and the JSON record must come back character for character. JSON adds quotes and backslashes.
const LETTERS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüñßçøÆДжЯїΩλ国会한글ابت'];
const OTHERS = [...'0123456789.,;:!?()[]{}/"\\\'-_*#%@+=<>’‘“”—–…«»€'].concat(['😀', '🇺🇦']);
const letterWord = fc.string({ unit: fc.constantFrom(...LETTERS), minLength: 1, maxLength: 10 });
const anyWord = fc.string({ unit: fc.constantFrom(...LETTERS, ...OTHERS), minLength: 1, maxLength: 10 });
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

/** How an article is written as JSON: which aliases, which date form, which body form. */
const shapeArb = fc.record({
  dateField: fc.constantFrom('date', 'published_at', 'publishedAt'),
  // A noon time with an offset under 12 hours keeps the UTC date equal to the written date.
  dateTime: fc.option(
    fc.record({
      offsetHours: fc.integer({ min: -11, max: 11 }),
      seconds: fc.boolean(),
      zulu: fc.boolean(),
    }),
  ),
  ledeField: fc.constantFrom('lede', 'title'),
  padLede: fc.boolean(),
  body: fc.oneof(
    fc.record({
      field: fc.constantFrom('body', 'text'),
      separator: fc.constantFrom('\n\n', '\n', '\r\n', '\r\n\r\n', '\n\n\n'),
    }),
    fc.constant({ field: 'paragraphs' as const, separator: '' }),
  ),
  extras: fc.record(
    {
      url: fc.webUrl(),
      source: fc.constantFrom('RT', 'Reuters'),
      author: fc.string(),
      language: fc.constantFrom('en', 'ru'),
    },
    { requiredKeys: [] },
  ),
});
type Shape = typeof shapeArb extends fc.Arbitrary<infer T> ? T : never;

function toJsonRecord(article: Article, shape: Shape): Record<string, unknown> {
  let date = article.publishedAt;
  if (shape.dateTime !== null) {
    const { offsetHours, seconds, zulu } = shape.dateTime;
    const time = seconds ? '12:00:00' : '12:00';
    const sign = offsetHours < 0 ? '-' : '+';
    const offset = zulu ? 'Z' : `${sign}${String(Math.abs(offsetHours)).padStart(2, '0')}:00`;
    date = `${date}T${time}${offset}`;
  }
  const body =
    shape.body.field === 'paragraphs' ? article.paragraphs : article.paragraphs.join(shape.body.separator);
  return {
    ...shape.extras,
    [shape.dateField]: date,
    [shape.ledeField]: shape.padLede ? `  ${article.lede}\t` : article.lede,
    [shape.body.field]: body,
  };
}

function fromText(article: Article): ParsedArticle {
  const printed = [`date ${article.publishedAt} ${article.lede}`, ...article.paragraphs].join('\n\n');
  const result = parseArticleText(utf8(printed), { now: NOW });
  if (!result.ok) throw new Error(`text rejected: ${result.rejection.message}`);
  return result.article;
}

function articleOf(record: ArticleRecord): ParsedArticle {
  if (!record.ok) throw new Error(`rejected: ${record.rejection.code}: ${record.rejection.message}`);
  return record.article;
}

/**
 * zlib drops the output of the write that failed, so with damaged gzip data the point where reading
 * stops (and whether the limit or the corruption is hit first) depends on the chunking. What was read
 * before must still agree.
 */
function expectSameBeforeTheLast(a: readonly ArticleRecord[], b: readonly ArticleRecord[]): void {
  const common = Math.min(a.length, b.length) - 1;
  expect(a.slice(0, common)).toEqual(b.slice(0, common));
  for (const records of [a, b]) {
    const last = records[records.length - 1];
    if (!last.ok && last.rejection.code === 'BAD_GZIP') expect(last.location).toEqual({ byteStart: 0 });
  }
}

const chunkSizes = fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 6 });

describe('readArticles properties', () => {
  it('reads any article written as a JSON record to the same article and id as its text form', async () => {
    await fc.assert(
      fc.asyncProperty(articleArb, shapeArb, chunkSizes, async (article, shape, sizes) => {
        const json = JSON.stringify(toJsonRecord(article, shape));
        const [record] = await collect(chunked(utf8(json), sizes), { format: 'json' });
        const expected = fromText(article);
        expect(articleOf(record)).toEqual(expected);
        expect(articleOf(record)).toMatchObject({
          publishedAt: article.publishedAt,
          lede: article.lede,
          paragraphs: article.paragraphs,
        });
      }),
      RUNS,
    );
  });

  it('reads many such records from one NDJSON stream, gzipped or not, in any chunking', async () => {
    const entries = fc.array(fc.tuple(articleArb, shapeArb), { minLength: 1, maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(
        entries,
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        chunkSizes,
        async (items, zip, eol, sizes) => {
          const text = items
            .map(([article, shape]) => JSON.stringify(toJsonRecord(article, shape)))
            .join(eol);
          const content = zip ? gzip(text) : utf8(text);
          const records = await collect(chunked(content, sizes), { format: 'ndjson', gzip: zip });
          expect(records.map(articleOf)).toEqual(items.map(([article]) => fromText(article)));
          expect(records.map((record) => record.location.line)).toEqual(items.map((_, index) => index + 1));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('never throws on arbitrary input and answers only with articles or known rejections', async () => {
    const jsonish = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            '{',
            '}',
            '[',
            ']',
            '"',
            ':',
            ',',
            '\n',
            '\r\n',
            ' ',
            '\ufeff',
            '\u2028',
            '\\',
            '\\u0000',
            'null',
            '42',
            'true',
          ),
          fc.constantFrom(
            '"date"',
            '"published_at"',
            '"publishedAt"',
            '"title"',
            '"lede"',
            '"body"',
            '"text"',
            '"paragraphs"',
            '"source"',
          ),
          fc.constantFrom(
            '"2022-02-22"',
            '"2022-02-30"',
            '"1899-12-31"',
            '"2022-02-22T23:00:00-05:00"',
            '"9999-12-31T23:00-05:00"',
            '"Words here."',
            '"&amp;"',
            '"\u200b"',
          ),
          fc.string({ unit: 'grapheme', maxLength: 6 }),
        ),
        { maxLength: 60 },
      )
      .map((parts) => utf8(parts.join('')));
    const validRecords = fc
      .array(fc.tuple(articleArb, shapeArb), { maxLength: 4 })
      .map((items) =>
        utf8(items.map(([article, shape]) => JSON.stringify(toJsonRecord(article, shape))).join('\n')),
      );
    const plain = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.string({ unit: 'binary', maxLength: 256 }).map(utf8),
      jsonish,
      validRecords,
    );
    // Compressed inputs: intact, truncated anywhere, or with a byte flipped anywhere.
    const compressed = fc
      .tuple(plain, fc.nat(), fc.nat(), fc.constantFrom('intact', 'truncated', 'flipped'))
      .map(([content, cut, flip, damage]) => {
        const zipped = Uint8Array.from(gzip(content));
        if (damage === 'truncated')
          return { content: zipped.subarray(0, cut % zipped.length), damaged: true };
        if (damage === 'flipped') zipped[flip % zipped.length] ^= 1 + (flip % 255);
        return { content: zipped, damaged: damage === 'flipped' };
      });
    const input = fc.oneof(
      plain.map((content) => ({ content, zip: false, damaged: false })),
      compressed.map(({ content, damaged }) => ({ content, zip: true, damaged })),
      // Plain bytes named .gz.
      plain.map((content) => ({ content, zip: true, damaged: true })),
    );

    await fc.assert(
      fc.asyncProperty(
        input,
        fc.constantFrom('text', 'json', 'ndjson'),
        chunkSizes,
        fc.option(fc.integer({ min: 0, max: 300 })),
        async ({ content, zip, damaged }, format, sizes, limit) => {
          const options = {
            format,
            gzip: zip,
            maxBytes: limit ?? undefined,
            maxRecordBytes: limit ?? undefined,
          };
          const records = await collect(chunked(content, sizes), options);
          expect(records.length).toBeGreaterThan(0);
          if (format !== 'ndjson') expect(records).toHaveLength(1);
          for (const record of records) {
            if (record.ok) {
              const { article } = record;
              expect(article.publishedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
              expect(article.lede).not.toBe('');
              expect(article.paragraphs.length).toBeGreaterThan(0);
              expect(article.text).toBe(article.paragraphs.join('\n\n'));
              expect(article.id).toBe(article.contentHash.slice(0, 32));
            } else {
              expect(REJECTION_CODES).toContain(record.rejection.code);
              expect(record.rejection.message).toMatch(/^[A-Z].*\.$/s);
            }
          }
          // Identical whatever the chunking, except for how far into damaged gzip data reading got.
          const byteByByte = await collect(chunked(content, 1), options);
          if (damaged) expectSameBeforeTheLast(byteByByte, records);
          else expect(byteByByte).toEqual(records);
          // Lines come in order, and at most the last record is a BAD_GZIP.
          const lines = records.flatMap((record) => record.location.line ?? []);
          expect(lines).toEqual([...lines].sort((a, b) => a - b));
          expect(
            records.slice(0, -1).some((record) => !record.ok && record.rejection.code === 'BAD_GZIP'),
          ).toBe(false);
        },
      ),
      { numRuns: 400 },
    );
  });
});
