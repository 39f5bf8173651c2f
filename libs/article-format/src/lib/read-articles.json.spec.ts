import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseArticleText, type ArticleRecord, type ParsedArticle, type Rejection } from '../index';
import {
  chunked,
  codes,
  collect,
  gzip,
  NOW,
  onlyRecord,
  readAllWays,
  utf8,
} from './__test-helpers__/streams';

const SAMPLE = readFileSync(join(__dirname, '..', '__fixtures__', 'donbass-recognition-2022-02-22.txt'));
const SAMPLE_HASH = '450adbcdbfac63f2355518315579493deccc293369c186dd827c9b8fdcb30965';

/** The sample converted to JSON by hand: the header line split into date and lede, the rest the body. */
function sampleAsJson(): { date: string; lede: string; body: string } {
  const [header, ...rest] = SAMPLE.toString('utf8').split('\n');
  const match = /^date (\S+) (.+)$/.exec(header.trim());
  if (!match) throw new Error('the fixture has changed');
  return { date: match[1], lede: match[2], body: rest.join('\n') };
}

async function readJson(value: unknown, now = NOW): Promise<ArticleRecord> {
  return onlyRecord(await collect(chunked(utf8(JSON.stringify(value))), { format: 'json', now }));
}

async function readOk(value: unknown): Promise<{ article: ParsedArticle; fields: object }> {
  const record = await readJson(value);
  if (!record.ok) throw new Error(`rejected: ${record.rejection.code}: ${record.rejection.message}`);
  return record;
}

async function readRejected(value: unknown, now = NOW): Promise<Rejection> {
  const record = await readJson(value, now);
  if (record.ok) throw new Error(`expected a rejection, got ${JSON.stringify(record.article)}`);
  expect(record.rejection.message).toMatch(/^[A-Z].*\.$/s);
  return record.rejection;
}

const minimal = { date: '2022-02-22', title: 'A lede', body: 'Some words.' };

describe('readArticles json: the sample article', () => {
  const fromText = (parseArticleText(SAMPLE, { now: NOW }) as { article: ParsedArticle }).article;
  const { date, lede, body } = sampleAsJson();
  const paragraphs = body.split('\n').filter((line) => line.trim() !== '');

  it.each([
    ['date/title/body', { date, title: lede, body }],
    ['published_at/lede/text', { published_at: date, lede, text: body }],
    ['publishedAt/title/paragraphs', { publishedAt: date, title: lede, paragraphs }],
    [
      'an ISO date-time and single newlines',
      { published_at: `${date}T09:15:00+03:00`, title: lede, body: paragraphs.join('\n') },
    ],
    [
      'CRLF and extra blank lines',
      { date, title: ` ${lede} `, body: `\r\n\r\n${paragraphs.join('\r\n\r\n\r\n')}\r\n` },
    ],
  ])('gives the same article and id as the .txt file (%s)', async (_, json) => {
    const { article } = await readOk(json);
    expect(article).toEqual(fromText);
    expect(article.contentHash).toBe(SAMPLE_HASH);
  });

  it('gives the same id gzipped, and as a line of an NDJSON file', async () => {
    const json = JSON.stringify({ date, title: lede, body });
    const zipped = onlyRecord(await readAllWays(gzip(json), { format: 'json', gzip: true }));
    expect(zipped.ok && zipped.article.contentHash).toBe(SAMPLE_HASH);
    const lines = await collect(chunked(utf8(`${json}\n${json}\n`), 100), { format: 'ndjson' });
    expect(lines.map((record) => record.ok && record.article.id)).toEqual([fromText.id, fromText.id]);
  });
});

describe('readArticles json: the document', () => {
  it('reads one object, located over the whole input', async () => {
    const content = utf8(`  ${JSON.stringify(minimal)}\n`);
    const record = onlyRecord(await readAllWays(content, { format: 'json' }));
    expect(record).toMatchObject({ ok: true, location: { byteStart: 0, byteEnd: content.byteLength } });
  });

  it('tolerates a UTF-8 BOM', async () => {
    expect(codes(await readAllWays(utf8(`\ufeff${JSON.stringify(minimal)}`), { format: 'json' }))).toEqual([
      'ok',
    ]);
  });

  it('rejects a top-level array, suggesting NDJSON', async () => {
    const rejection = await readRejected([minimal, minimal]);
    expect(rejection.code).toBe('BAD_JSON');
    expect(rejection.message).toMatch(/array.*NDJSON.*\.ndjson.*one object per line/);
  });

  it.each([
    ['a string', 'article'],
    ['a number', 42],
    ['null', null],
    ['a boolean', true],
  ])('rejects %s as BAD_JSON', async (type, value) => {
    expect(await readRejected(value)).toEqual({
      code: 'BAD_JSON',
      message: `The content is ${type}, not a JSON object.`,
    });
  });

  it('rejects a syntax error as BAD_JSON with the parser’s message', async () => {
    const [record] = await collect(chunked(utf8('{"date": "2022-02-22", title: "x"}')), { format: 'json' });
    expect(!record.ok && record.rejection.code).toBe('BAD_JSON');
    expect(!record.ok && record.rejection.message).toMatch(
      /^The content is not valid JSON \(.*(position|property name).*\)\.$/,
    );
  });

  it('keeps a parser message about a huge value short', async () => {
    const [record] = await collect(chunked(utf8(`{"body": "${'x'.repeat(100_000)}`)), { format: 'json' });
    expect(!record.ok && record.rejection.code).toBe('BAD_JSON');
    expect(!record.ok && record.rejection.message.length).toBeLessThan(300);
  });

  it.each([
    ['zero bytes', '', 'EMPTY'],
    ['only whitespace', ' \n\t\r\n', 'EMPTY'],
  ])('rejects %s as EMPTY', async (_, content, code) => {
    expect(codes(await collect(chunked(utf8(content)), { format: 'json' }))).toEqual([code]);
  });

  it('rejects invalid UTF-8, UTF-16 and binary data as NOT_TEXT', async () => {
    const json = JSON.stringify(minimal);
    const invalid = Uint8Array.from([...utf8(json.slice(0, 10)), 0xc3, 0x28, ...utf8(json.slice(10))]);
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json, 'utf16le')]);
    for (const content of [invalid, utf16, new Uint8Array(64)]) {
      expect(codes(await collect(chunked(content), { format: 'json' }))).toEqual(['NOT_TEXT']);
    }
  });

  it('rejects a document over maxBytes as TOO_LARGE', async () => {
    const content = utf8(JSON.stringify(minimal));
    expect(
      codes(await collect(chunked(content, 3), { format: 'json', maxBytes: content.byteLength - 1 })),
    ).toEqual(['TOO_LARGE']);
    expect(
      codes(await collect(chunked(content, 3), { format: 'json', maxBytes: content.byteLength })),
    ).toEqual(['ok']);
  });
});

describe('readArticles json: fields', () => {
  it('passes optional string fields through, trimmed, with `source` as publisher', async () => {
    const { fields } = await readOk({
      ...minimal,
      title: '  The title  ',
      url: ' https://example.com/a ',
      source: 'RT',
      author: 'Jane Doe',
      language: 'en',
      extra: 'ignored',
    });
    expect(fields).toEqual({
      title: 'The title',
      url: 'https://example.com/a',
      publisher: 'RT',
      author: 'Jane Doe',
      language: 'en',
    });
  });

  it('ignores non-string and blank optional fields', async () => {
    const { fields } = await readOk({
      ...minimal,
      url: 42,
      source: { name: 'RT' },
      author: ['A'],
      language: '  ',
      title: 'T',
    });
    expect(fields).toEqual({ title: 'T' });
  });

  it('uses `lede` for the lede and keeps `title` as a field when a record has both', async () => {
    const { article, fields } = await readOk({ ...minimal, title: 'Headline', lede: 'The lede' });
    expect(article.lede).toBe('The lede');
    expect(fields).toEqual({ title: 'Headline' });
  });

  it('prefers `date` over `published_at` over `publishedAt`, and `body` over `text` over `paragraphs`', async () => {
    const { article } = await readOk({
      title: 'T',
      publishedAt: '2020-01-01',
      published_at: '2021-01-01',
      date: '2022-02-22',
      paragraphs: ['from paragraphs'],
      text: 'from text',
      body: 'from body',
    });
    expect(article.publishedAt).toBe('2022-02-22');
    expect(article.paragraphs).toEqual(['from body']);
    const second = await readOk({
      title: 'T',
      publishedAt: '2020-01-01',
      published_at: '2021-01-01',
      paragraphs: ['p'],
      text: 'from text',
    });
    expect(second.article.publishedAt).toBe('2021-01-01');
    expect(second.article.paragraphs).toEqual(['from text']);
  });

  it('treats null as absent', async () => {
    const { article } = await readOk({
      ...minimal,
      date: null,
      published_at: '2022-02-21',
      lede: null,
      body: null,
      text: 'T.',
    });
    expect(article).toMatchObject({ publishedAt: '2022-02-21', lede: 'A lede', paragraphs: ['T.'] });
  });

  it('reads only own fields, never inherited ones', async () => {
    const content = utf8('{"__proto__": {"date": "2022-02-22"}, "title": "T", "body": "B."}');
    const [record] = await collect(chunked(content), { format: 'json' });
    expect(!record.ok && record.rejection.code).toBe('MISSING_FIELD');
  });
});

describe('readArticles json: missing fields', () => {
  it('names the missing date field with its aliases', async () => {
    const rejection = await readRejected({ title: 'T', body: 'B.' });
    expect(rejection.code).toBe('MISSING_FIELD');
    expect(rejection.message).toBe('The record needs `date`, `published_at` or `publishedAt`.');
  });

  it('names every missing field at once', async () => {
    const rejection = await readRejected({ url: 'https://example.com' });
    expect(rejection).toEqual({
      code: 'MISSING_FIELD',
      message:
        'The record needs `date`, `published_at` or `publishedAt`; `lede` or `title`; and `body`, `text` or `paragraphs` (an array of strings).',
    });
  });

  it.each([
    [{ ...minimal, title: 42 }, /a number in `title`; it needs a string/],
    [{ ...minimal, title: ' \u200b&nbsp; ' }, /an empty `title`/],
    [{ ...minimal, body: ['a'] }, /an array in `body`; it needs a string/],
    [
      { date: '2022-02-22', title: 'T', paragraphs: 'one string' },
      /a string in `paragraphs`; it needs an array of strings/,
    ],
    [{ date: '2022-02-22', title: 'T', paragraphs: ['ok', 3] }, /a number as item 2 of `paragraphs`/],
  ])('rejects a field of the wrong type or empty lede as MISSING_FIELD (%#)', async (value, message) => {
    const rejection = await readRejected(value);
    expect(rejection.code).toBe('MISSING_FIELD');
    expect(rejection.message).toMatch(message);
  });
});

describe('readArticles json: the date', () => {
  it.each([
    ['2022-02-22', '2022-02-22'],
    ['2022-02-22T23:30:00-05:00', '2022-02-23'],
    ['2022-02-22T01:30:00+03:00', '2022-02-21'],
    ['2022-02-22T12:00:00Z', '2022-02-22'],
    [' 2022-02-22 ', '2022-02-22'],
    ['1900-01-01', '1900-01-01'],
    ['2024-06-16', '2024-06-16'],
    ['2024-06-15T23:59:59-14:00', '2024-06-16'],
  ])('takes the UTC calendar date of %j: %s', async (date, publishedAt) => {
    expect((await readOk({ ...minimal, date })).article.publishedAt).toBe(publishedAt);
  });

  it.each([
    [20220222, /a number in `date`; it must be a string 'YYYY-MM-DD' or an ISO 8601 date-time/],
    [['2022-02-22'], /an array in `date`/],
    ['22.02.2022', /`date` '22\.02\.2022'; it must be written as YYYY-MM-DD or as an ISO 8601 date-time/],
    ['Tue, 22 Feb 2022 10:00:00 GMT', /must be written as YYYY-MM-DD/],
    ['2022-02-30', /'2022-02-30', which does not exist/],
    ['2022-02-22T25:00:00Z', /which does not exist/],
    ['1899-12-31', /before 1900-01-01, the earliest accepted date/],
    ['1900-01-01T00:30:00+01:00', /'1900-01-01T00:30:00\+01:00' \(UTC date 1899-12-31\), before 1900-01-01/],
    ['2024-06-17', /'2024-06-17', which is in the future; the latest accepted date is 2024-06-16/],
    ['2024-06-16T23:00:00-05:00', /\(UTC date 2024-06-17\), which is in the future/],
    ['9999-12-31T23:00:00-05:00', /which is in the future/],
  ])('rejects %j as BAD_DATE', async (date, message) => {
    const rejection = await readRejected({ ...minimal, date });
    expect(rejection.code).toBe('BAD_DATE');
    expect(rejection.message).toMatch(message);
  });

  it('names the alias that was used', async () => {
    expect((await readRejected({ title: 'T', body: 'B.', published_at: 'soon' })).message).toMatch(
      /`published_at`/,
    );
  });
});

describe('readArticles json: lede and body', () => {
  it('cleans the lede like a text lede: entities, odd spaces, invisibles, line breaks', async () => {
    const { article } = await readOk({
      ...minimal,
      title: '  Russia&rsquo;s\u00a0Duma \u200bvotes\n&amp;\tratifies  ',
    });
    expect(article.lede).toBe('Russia’s Duma votes & ratifies');
  });

  it('splits the body on blank lines and single newlines of any convention', async () => {
    const { article } = await readOk({
      ...minimal,
      body: 'One.\n\nTwo.\nThree.\r\nFour.\rFive.\u2028Six.\n\n\n',
    });
    expect(article.paragraphs).toEqual(['One.', 'Two.', 'Three.', 'Four.', 'Five.', 'Six.']);
    expect(article.text).toBe(article.paragraphs.join('\n\n'));
  });

  it('normalizes the body like the text parser, and an encoded newline never makes a paragraph', async () => {
    const { article } = await readOk({ ...minimal, body: ' A&#10;B&nbsp;&nbsp;c\u200bd &hellip; ' });
    expect(article.paragraphs).toEqual(['A B cd …']);
  });

  it('splits and cleans `paragraphs` items the same way', async () => {
    const { article } = await readOk({
      date: '2022-02-22',
      title: 'T',
      paragraphs: ['  One&amp;two ', '', ' \u200b ', 'Three\nFour'],
    });
    expect(article.paragraphs).toEqual(['One&two', 'Three', 'Four']);
  });

  it('counts words over lede and body', async () => {
    const { article } = await readOk({ ...minimal, title: 'Two words', body: 'Three more words.' });
    expect(article.wordCount).toBe(5);
  });

  it.each([
    [{ ...minimal, body: '' }, /has an empty `body`/],
    [{ ...minimal, body: ' \n\n\t\u200b ' }, /has an empty `body`/],
    [{ ...minimal, body: '— … !!!' }, /has a `body` without words, only '— … !!!'/],
    [{ date: '2022-02-22', title: 'T', paragraphs: [] }, /has an empty `paragraphs`/],
    [{ date: '2022-02-22', title: 'T', text: '   ' }, /has an empty `text`/],
  ])('rejects a body without words as EMPTY_BODY (%#)', async (value, message) => {
    const rejection = await readRejected(value);
    expect(rejection.code).toBe('EMPTY_BODY');
    expect(rejection.message).toMatch(message);
  });
});
