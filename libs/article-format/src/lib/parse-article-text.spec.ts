import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  ArticleRejectedError,
  countWords,
  parseArticleText,
  PARSER_VERSION,
  type ParsedArticle,
  type ParseOptions,
  type Rejection,
  type RejectionCode,
} from '../index';

const NOW = new Date('2024-06-15T12:00:00Z');
const SAMPLE = readFileSync(join(__dirname, '..', '__fixtures__', 'donbass-recognition-2022-02-22.txt'));
const SAMPLE_TEXT = SAMPLE.toString('utf8');
// Computed independently of this library (Python: strip lines, drop blanks, join, sha256).
const SAMPLE_HASH = '450adbcdbfac63f2355518315579493deccc293369c186dd827c9b8fdcb30965';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

function parseOk(content: Uint8Array | string, options: ParseOptions = { now: NOW }): ParsedArticle {
  const result = parseArticleText(typeof content === 'string' ? utf8(content) : content, options);
  if (!result.ok) throw new ArticleRejectedError(result.rejection);
  return result.article;
}

function parseRejected(content: Uint8Array | string, options: ParseOptions = { now: NOW }): Rejection {
  const result = parseArticleText(typeof content === 'string' ? utf8(content) : content, options);
  if (result.ok) throw new Error(`expected a rejection, got article ${JSON.stringify(result.article)}`);
  return result.rejection;
}

const article = (header: string, ...body: string[]): string => [header, ...body].join('\n\n');

describe('parseArticleText: the sample article', () => {
  const parsed = parseOk(SAMPLE);

  it('reads the header', () => {
    expect(parsed.publishedAt).toBe('2022-02-22');
    expect(parsed.lede).toBe('The decision was passed unanimously by MPs');
  });

  it('reads six paragraphs, one a line', () => {
    expect(parsed.paragraphs).toHaveLength(6);
    expect(parsed.paragraphs[0]).toMatch(/^Russian lawmakers have voted in favor of ratifying agreements/);
    expect(parsed.paragraphs[5]).toMatch(/^Ukraine rejects claims .* the lives of our service members\.”$/);
    expect(parsed.text).toBe(parsed.paragraphs.join('\n\n'));
  });

  it('keeps curly quotes as they are', () => {
    expect(parsed.paragraphs[1]).toContain('the lower house of Russia’s parliament');
    expect(parsed.paragraphs[1]).toContain(
      '‘Treaty of Friendship and Cooperation with the Russian Federation.’',
    );
    expect(parsed.paragraphs[2]).toContain('to “immediately” recognize');
    expect(parsed.text).not.toMatch(/["']/);
  });

  it('counts words of lede and body (312 = `wc -w` of the file minus "date 2022-02-22")', () => {
    expect(countWords(parsed.lede)).toBe(7);
    expect(parsed.wordCount).toBe(312);
  });

  it('hashes the canonical form and derives the id from the hash', () => {
    const canonical = `2022-02-22\n${parsed.lede}\n\n${parsed.paragraphs.join('\n\n')}`;
    expect(parsed.contentHash).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(parsed.contentHash).toBe(SAMPLE_HASH);
    expect(parsed.id).toBe(SAMPLE_HASH.slice(0, 32));
    expect(parsed.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('gives the same id for the same bytes, and for CRLF, CR, BOM and trailing-newline variants', () => {
    const variants = [
      Uint8Array.from(SAMPLE),
      utf8(SAMPLE_TEXT.replace(/\n/g, '\r\n')),
      utf8(SAMPLE_TEXT.replace(/\n/g, '\r')),
      utf8(`\ufeff${SAMPLE_TEXT}`),
      utf8(`\ufeff${SAMPLE_TEXT.replace(/\n/g, '\r\n')}\r\n`),
      utf8(`${SAMPLE_TEXT}\n\n\n`),
    ];
    for (const variant of variants) {
      expect(parseOk(variant).id).toBe(parsed.id);
    }
  });

  it('gives a different id when the content changes', () => {
    expect(parseOk(SAMPLE_TEXT.replace('400 MPs', '401 MPs')).id).not.toBe(parsed.id);
    expect(parseOk(SAMPLE_TEXT.replace('2022-02-22', '2022-02-23')).id).not.toBe(parsed.id);
  });

  it('gives the same id for a thoroughly messy copy of the same article', () => {
    const messy =
      '\ufeff\r\n \r\n' +
      SAMPLE_TEXT.replace(/’/g, '&rsquo;')
        .replace(/“/g, '&#8220;')
        .replace(/”/g, '&#x201D;')
        .replace(/ the /g, '  the\u00a0')
        .replace(/Putin/g, 'Pu\u200btin')
        .replace(/\n\n/g, ' \t\r\n\u00a0\r\n\r\n\r\n   ') +
      '  \r\n\r\n';
    expect(parseOk(messy).id).toBe(parsed.id);
  });
});

describe('parseArticleText: messy but valid input', () => {
  const clean = parseOk(
    article('date 2022-02-22 A lede “here”', 'First paragraph & more.', 'Second one’s text.'),
  );

  it.each<[string, string]>([
    ['UTF-8 BOM', '\ufeffdate 2022-02-22 A lede “here”\n\nFirst paragraph & more.\n\nSecond one’s text.'],
    ['CRLF', 'date 2022-02-22 A lede “here”\r\n\r\nFirst paragraph & more.\r\n\r\nSecond one’s text.\r\n'],
    ['lone CR', 'date 2022-02-22 A lede “here”\r\rFirst paragraph & more.\r\rSecond one’s text.'],
    [
      'NBSP and U+202F',
      'date\u00a02022-02-22 A\u202flede “here”\n\nFirst paragraph\u00a0& more.\n\nSecond one’s text.',
    ],
    [
      'HTML entities',
      'date 2022-02-22 A lede &ldquo;here&rdquo;\n\nFirst paragraph &amp; more.\n\nSecond one&#8217;s text.',
    ],
    [
      'stray blank lines',
      '\n\n\ndate 2022-02-22 A lede “here”\n\n\n\n\nFirst paragraph & more.\n\n\n\nSecond one’s text.\n\n\n',
    ],
    [
      'blank lines with spaces',
      'date 2022-02-22 A lede “here”\n \t \nFirst paragraph & more.\n\u00a0\nSecond one’s text.',
    ],
    ['no final newline', 'date 2022-02-22 A lede “here”\n\nFirst paragraph & more.\n\nSecond one’s text.'],
    [
      'multiple spaces and tabs',
      '  date   2022-02-22\tA  lede   “here”  \n\n\tFirst  paragraph &  more. \n\nSecond one’s   text.',
    ],
    [
      'zero-width characters',
      'date 2022-02-22 A lede “here”\u200b\n\nFirst para\u200bgraph & more.\n\n\ufeffSecond one’s text.',
    ],
    [
      'paragraphs without blank lines between them',
      'date 2022-02-22 A lede “here”\nFirst paragraph & more.\nSecond one’s text.',
    ],
    ['capitalised keyword', 'Date 2022-02-22 A lede “here”\n\nFirst paragraph & more.\n\nSecond one’s text.'],
  ])('accepts %s and yields the same article', (_label, input) => {
    expect(parseOk(input)).toEqual(clean);
  });

  it('reads the expected fields', () => {
    expect(clean).toMatchObject({
      publishedAt: '2022-02-22',
      lede: 'A lede “here”',
      paragraphs: ['First paragraph & more.', 'Second one’s text.'],
      text: 'First paragraph & more.\n\nSecond one’s text.',
      wordCount: 9,
    });
  });

  it('accepts a Buffer', () => {
    expect(parseOk(Buffer.from(SAMPLE_TEXT, 'utf8')).contentHash).toBe(SAMPLE_HASH);
  });

  it('keeps a body made of several scripts and emoji intact', () => {
    const parsed = parseOk(article('date 2022-02-22 Москва приняла решение', 'Україна 🇺🇦 — 国会 العربية'));
    expect(parsed.paragraphs).toEqual(['Україна 🇺🇦 — 国会 العربية']);
  });

  it('parses an article just under the 5 MiB default limit (within the default test timeout)', () => {
    const paragraph = SAMPLE_TEXT.split('\n\n')[1];
    const body = Array.from({ length: 18_000 }, () => paragraph);
    const content = utf8(article('date 2022-02-22 A long one', ...body));
    expect(content.length).toBeGreaterThan(4.5 * 1024 * 1024);
    expect(content.length).toBeLessThan(5 * 1024 * 1024);
    expect(parseOk(content, {}).paragraphs).toHaveLength(18_000);
  });
});

describe('parseArticleText: rejections', () => {
  const codeOf = (content: Uint8Array | string, options?: ParseOptions): RejectionCode =>
    parseRejected(content, options).code;

  describe('EMPTY', () => {
    it('rejects zero bytes', () => {
      expect(parseRejected(new Uint8Array(0))).toEqual({
        code: 'EMPTY',
        message: 'The content is empty (zero bytes).',
      });
    });

    it.each([' ', '\n\n', ' \r\n\t\r\n ', '\ufeff', '\ufeff\u00a0\n\u200b\n', '&nbsp;\n&#8203;'])(
      'rejects whitespace only: %j',
      (input) => {
        expect(codeOf(input)).toBe('EMPTY');
      },
    );
  });

  describe('NOT_TEXT', () => {
    it('rejects a PNG file', () => {
      const png = Uint8Array.of(
        0x89,
        0x50,
        0x4e,
        0x47,
        0x0d,
        0x0a,
        0x1a,
        0x0a,
        0,
        0,
        0,
        0x0d,
        0x49,
        0x48,
        0x44,
        0x52,
      );
      expect(codeOf(png)).toBe('NOT_TEXT');
    });

    it('rejects an article saved as Windows-1252', () => {
      const cp1252 = Uint8Array.of(...utf8('date 2022-02-22 Russia'), 0x92, ...utf8('s move\n\nBody.'));
      expect(codeOf(cp1252)).toBe('NOT_TEXT');
    });

    it('rejects an article saved as UTF-16, saying so', () => {
      const utf16 = Buffer.from('\ufeffdate 2022-02-22 Lede\n\nBody.', 'utf16le');
      expect(parseRejected(utf16)).toEqual({
        code: 'NOT_TEXT',
        message: 'The content is UTF-16 encoded; only UTF-8 text is accepted.',
      });
    });

    it('rejects text containing a NUL byte', () => {
      expect(codeOf('date 2022-02-22 Lede\n\nBody\u0000 text.')).toBe('NOT_TEXT');
    });

    it('rejects valid UTF-8 that is mostly control characters', () => {
      expect(codeOf('date 2022-02-22 \u0001\u0002\u0003\u0004\n\n\u0005\u0006\u0007\u0008x')).toBe(
        'NOT_TEXT',
      );
    });

    it('rejects a non-byte-array argument from untyped callers', () => {
      const result = parseArticleText('date 2022-02-22 x\n\ny' as unknown as Uint8Array);
      expect(result).toMatchObject({ ok: false, rejection: { code: 'NOT_TEXT' } });
    });
  });

  describe('BAD_HEADER', () => {
    it('rejects an article without a date line, quoting the line', () => {
      expect(parseRejected(article('Hello world', 'Body.'))).toEqual({
        code: 'BAD_HEADER',
        message: "Line 1 must start with 'date YYYY-MM-DD' followed by the lede; found 'Hello world'.",
      });
    });

    it('says when the lede is not on the date line', () => {
      expect(parseRejected('date 2022-02-22\nThe decision was passed\n\nBody.')).toEqual({
        code: 'BAD_HEADER',
        message:
          "Line 1 has the date but no lede after it; the lede must follow on the same line, found 'date 2022-02-22'.",
      });
    });

    it('reports the real line number after leading blank lines', () => {
      expect(parseRejected('\n\n  Russian lawmakers have voted\n\nBody.').message).toMatch(/^Line 3 /);
    });

    it('quotes at most 60 characters of a long line', () => {
      const line = `Russian lawmakers have voted in favor of ratifying agreements underpinning political cooperation`;
      const { message } = parseRejected(article(line, 'Body.'));
      expect(message).toContain(`found '${line.slice(0, 60)}…'.`);
    });

    it.each([
      ['date with no lede, lede on the next line', 'date 2022-02-22\nThe decision was passed\n\nBody.'],
      ['date keyword alone', 'date\n\nBody.'],
      ['date with a colon', 'date: 2022-02-22 The decision was passed\n\nBody.'],
      ['another keyword', 'published 2022-02-22 The decision was passed\n\nBody.'],
      ['a lede made only of invisible characters', 'date 2022-02-22 \u200b&nbsp;\n\nBody.'],
      ['a word that merely starts with date', 'dated 2022-02-22 The decision\n\nBody.'],
    ])('rejects %s', (_label, input) => {
      expect(codeOf(input)).toBe('BAD_HEADER');
    });
  });

  describe('BAD_DATE', () => {
    it.each([
      ['day-first date', 'date 22.02.2022 The decision was passed'],
      ['US date', 'date 02/22/2022 The decision was passed'],
      ['missing zero padding', 'date 2022-2-22 The decision was passed'],
      ['date with time', 'date 2022-02-22T10:00:00Z The decision was passed'],
      ['a word', 'date yesterday The decision was passed'],
      ['impossible day', 'date 2022-02-30 The decision was passed'],
      ['month 13', 'date 2022-13-01 The decision was passed'],
    ])('rejects %s', (_label, header) => {
      expect(codeOf(article(header, 'Body.'))).toBe('BAD_DATE');
    });

    it('explains the expected format', () => {
      expect(parseRejected(article('date 22.02.2022 Lede', 'Body.')).message).toBe(
        "The date on line 1 must be written as YYYY-MM-DD; found '22.02.2022'.",
      );
    });
  });

  describe('EMPTY_BODY', () => {
    it.each([
      ['header only, no final newline', 'date 2022-02-22 The decision was passed unanimously by MPs'],
      ['header and blank lines', 'date 2022-02-22 The decision was passed\r\n\r\n  \r\n\t\r\n'],
      [
        'a body of invisible characters and entities',
        'date 2022-02-22 The decision\n\n\u200b&nbsp;\n\n\ufeff',
      ],
      ['a body without words', 'date 2022-02-22 The decision\n\n* * *\n\n—'],
    ])('rejects %s', (_label, input) => {
      expect(codeOf(input)).toBe('EMPTY_BODY');
    });
  });

  describe('TOO_LARGE', () => {
    const body = article('date 2022-02-22 Lede', 'Body text.');

    it('accepts content of exactly maxBytes', () => {
      expect(parseArticleText(utf8(body), { now: NOW, maxBytes: utf8(body).length }).ok).toBe(true);
    });

    it('rejects content over maxBytes', () => {
      expect(parseRejected(`${body}!`, { now: NOW, maxBytes: utf8(body).length })).toEqual({
        code: 'TOO_LARGE',
        message: `The content is ${utf8(body).length + 1} bytes, more than the limit of ${utf8(body).length} bytes.`,
      });
    });

    it('applies a 5 MiB default and checks size before decoding', () => {
      expect(codeOf(new Uint8Array(5 * 1024 * 1024 + 1).fill(0xff), {})).toBe('TOO_LARGE');
      expect(codeOf(new Uint8Array(5 * 1024 * 1024).fill(0xff), {})).toBe('NOT_TEXT');
    });

    it('falls back to the default for a nonsensical limit', () => {
      expect(codeOf(new Uint8Array(5 * 1024 * 1024 + 1), { maxBytes: Number.NaN })).toBe('TOO_LARGE');
      expect(codeOf(new Uint8Array(5 * 1024 * 1024 + 1), { maxBytes: -1 })).toBe('TOO_LARGE');
    });
  });

  it('checks in a fixed order: size, emptiness, encoding, header, date, body', () => {
    expect(codeOf('date 2022-02-30 x', { now: NOW, maxBytes: 3 })).toBe('TOO_LARGE');
    expect(codeOf('\u0000')).toBe('NOT_TEXT');
    expect(codeOf('date 2022-02-30')).toBe('BAD_HEADER');
    expect(codeOf('date 2022-02-30 Lede')).toBe('BAD_DATE');
    expect(codeOf('date 2022-02-22 Lede')).toBe('EMPTY_BODY');
  });
});

describe('parseArticleText: date rules (now = 2024-06-15T12:00Z)', () => {
  const withDate = (date: string): string => article(`date ${date} The decision was passed`, 'Body text.');

  it.each(['2024-02-29', '1900-01-01', '2022-02-22', '2024-06-15', '2024-06-16'])('accepts %s', (date) => {
    expect(parseOk(withDate(date)).publishedAt).toBe(date);
  });

  it.each(['2022-02-29', '2023-02-29', '1900-02-29', '1899-12-31', '0001-01-01', '2024-06-17', '2099-01-01'])(
    'rejects %s',
    (date) => {
      expect(parseRejected(withDate(date)).code).toBe('BAD_DATE');
    },
  );

  it('says why a date is rejected', () => {
    expect(parseRejected(withDate('2022-02-29')).message).toBe(
      "The date '2022-02-29' on line 1 does not exist.",
    );
    expect(parseRejected(withDate('1899-12-31')).message).toBe(
      "The date '1899-12-31' on line 1 is before 1900-01-01, the earliest accepted date.",
    );
    expect(parseRejected(withDate('2024-06-17')).message).toBe(
      "The date '2024-06-17' on line 1 is in the future; the latest accepted date is 2024-06-16.",
    );
  });

  it('defaults now to the current time', () => {
    const tomorrow = new Date(Date.now() + 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    const inThreeDays = new Date(Date.now() + 3 * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
    expect(parseArticleText(utf8(withDate(tomorrow))).ok).toBe(true);
    expect(parseArticleText(utf8(withDate(inThreeDays)))).toMatchObject({
      ok: false,
      rejection: { code: 'BAD_DATE' },
    });
  });

  it('falls back to the current time for an invalid now', () => {
    expect(parseArticleText(utf8(withDate('2024-06-17')), { now: new Date(Number.NaN) }).ok).toBe(true);
  });
});

describe('ArticleRejectedError', () => {
  it('carries the rejection and its message', () => {
    const rejection = parseRejected('Hello world\n\nBody.');
    const error = new ArticleRejectedError(rejection);
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ArticleRejectedError);
    expect(error.name).toBe('ArticleRejectedError');
    expect(error.message).toBe(rejection.message);
    expect(error.rejection.code).toBe('BAD_HEADER');
  });
});

describe('PARSER_VERSION', () => {
  it('is the text format version stored with parsed articles', () => {
    expect(PARSER_VERSION).toBe('text/1.0.0');
  });
});
