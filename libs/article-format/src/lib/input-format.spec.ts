import { detectFormat } from '../index';

describe('detectFormat', () => {
  it.each([
    ['article.txt', 'text', false],
    ['article.text', 'text', false],
    ['2022/02/donbass.article', 'text', false],
    ['feed.json', 'json', false],
    ['feed.ndjson', 'ndjson', false],
    ['feed.jsonl', 'ndjson', false],
    ['article.txt.gz', 'text', true],
    ['article.text.gz', 'text', true],
    ['x.article.gz', 'text', true],
    ['feed.json.gz', 'json', true],
    ['incoming/2024/feed.ndjson.gz', 'ndjson', true],
    ['feed.jsonl.gz', 'ndjson', true],
    ['Feed.NDJSON.GZ', 'ndjson', true],
    ['ARTICLE.Txt', 'text', false],
    ['C:\\exports\\feed.JsonL', 'ndjson', false],
    ['archive.tar.json', 'json', false],
    ['my.dir/feed.json', 'json', false],
  ] as const)('%s → %s (gzip: %s)', (key, format, gzip) => {
    expect(detectFormat(key)).toEqual({ ok: true, format, gzip });
  });

  it.each([
    'feed.csv',
    'feed.xml.gz',
    'README',
    'feed',
    'feed.gz',
    'feed.json.bak',
    'feed.json.gz.tmp',
    'feed.json.zip',
    '.json',
    '.json.gz',
    'dir.json/',
    '',
    'feed.json ',
  ])('rejects %j as UNKNOWN_FORMAT, listing the accepted extensions', (key) => {
    const result = detectFormat(key);
    if (result.ok) throw new Error(`expected a rejection, got ${result.format}`);
    expect(result.rejection.code).toBe('UNKNOWN_FORMAT');
    for (const extension of ['.txt', '.text', '.article', '.json', '.ndjson', '.jsonl', '.gz']) {
      expect(result.rejection.message).toContain(extension);
    }
    expect(result.rejection.message).toMatch(/^[A-Z].*\.$/);
  });

  it('quotes only the file name, not the directory, in the message', () => {
    const result = detectFormat('incoming/secret-customer/feed.csv');
    expect(!result.ok && result.rejection.message).toMatch(
      /^The file name 'feed\.csv' has no accepted extension/,
    );
  });
});
