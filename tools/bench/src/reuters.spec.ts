import { parseArticleText, readArticles } from '@newsflow/article-format';

import {
  type ReutersRecord,
  articleText,
  convertReutersRecord,
  convertReutersRecords,
  ndjsonLine,
  reutersDate,
  reutersParagraphs,
} from './reuters';

// The shape of data/full/reuters-000.json: wrapped lines, indented paragraph starts, "Reuter" and U+0003.
const COCOA: ReutersRecord = {
  id: '1',
  title: 'BAHIA COCOA REVIEW',
  body:
    'Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the drought since early\n' +
    'January.\n    The dry period means the temporao will be late this year.\n' +
    '    Arrivals for the week ended February 22 were 155,221 bags\nof 60 kilos.\n Reuter\n\u0003',
  date: '26-FEB-1987 15:01:01.79',
};

const now = new Date('2024-01-01T00:00:00Z');

async function* chunks(text: string): AsyncGenerator<Uint8Array> {
  yield Buffer.from(text, 'utf8');
}

describe('reutersDate', () => {
  it('converts the wire date to YYYY-MM-DD, with or without padding', () => {
    expect(reutersDate('26-FEB-1987 15:01:01.79')).toBe('1987-02-26');
    expect(reutersDate(' 3-MAR-1987 09:18:21.26')).toBe('1987-03-03');
  });

  it('returns undefined for anything else', () => {
    expect(reutersDate('1987-02-26')).toBeUndefined();
    expect(reutersDate('26-FOO-1987 15:01')).toBeUndefined();
    expect(reutersDate('')).toBeUndefined();
  });
});

describe('reutersParagraphs', () => {
  it('joins wrapped lines, splits at indented lines and drops the sign-off', () => {
    expect(reutersParagraphs(COCOA.body as string)).toEqual([
      'Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought since early January.',
      'The dry period means the temporao will be late this year.',
      'Arrivals for the week ended February 22 were 155,221 bags of 60 kilos.',
    ]);
  });

  it('finds nothing in a body that is only the sign-off', () => {
    expect(reutersParagraphs(' Reuter\n\u0003')).toEqual([]);
  });
});

describe('convertReutersRecords', () => {
  it('skips and counts records without body, date or title', () => {
    const { articles, skipped } = convertReutersRecords([
      COCOA,
      { ...COCOA, body: undefined },
      { ...COCOA, body: '   \n Reuter\n\u0003' },
      { ...COCOA, date: 'yesterday' },
      { ...COCOA, title: '  ' },
    ]);
    expect(articles).toHaveLength(1);
    expect(skipped).toEqual({ 'no-body': 2, 'no-date': 1, 'no-title': 1 });
  });
});

describe('the generated inputs', () => {
  const converted = convertReutersRecord(COCOA);
  if (!converted.ok) throw new Error('the fixture must convert');
  const article = converted.article;

  it('writes the text format: date and lede on the first line, a blank line, the paragraphs', () => {
    const text = articleText(article);
    expect(text.split('\n').slice(0, 3)).toEqual([
      'date 1987-02-26 BAHIA COCOA REVIEW',
      '',
      'Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought since early January.',
    ]);
    const parsed = parseArticleText(Buffer.from(text), { now });
    expect(parsed.ok && parsed.article).toMatchObject({
      publishedAt: '1987-02-26',
      lede: 'BAHIA COCOA REVIEW',
      paragraphs: article.paragraphs,
    });
  });

  it('writes one NDJSON line with date, title and body', () => {
    const line = ndjsonLine(article);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual({
      date: '1987-02-26',
      title: 'BAHIA COCOA REVIEW',
      body: article.paragraphs.join('\n\n'),
    });
  });

  it('gives the same article id in both formats', async () => {
    const text = parseArticleText(Buffer.from(articleText(article)), { now });
    const records = [];
    for await (const record of readArticles(chunks(ndjsonLine(article)), {
      format: 'ndjson',
      gzip: false,
      now,
    })) {
      records.push(record);
    }
    expect(records).toHaveLength(1);
    expect(text.ok && records[0]?.ok).toBe(true);
    expect(records[0]?.ok && records[0].article.id).toBe(text.ok && text.article.id);
  });

  it('makes every round of a repeated corpus distinct content', async () => {
    const lines = [0, 1, 2].map((round) => ndjsonLine(article, round)).join('');
    const ids = new Set<string>();
    for await (const record of readArticles(chunks(lines), { format: 'ndjson', gzip: false, now })) {
      if (record.ok) ids.add(record.article.id);
    }
    expect(ids.size).toBe(3);
    expect(articleText(article, 2).split('\n')[0]).toBe('date 1987-02-26 BAHIA COCOA REVIEW [r2]');
  });
});
