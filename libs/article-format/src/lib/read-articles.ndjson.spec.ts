import { readArticles, type ArticleRecord } from '../index';
import { chunked, codes, collect, gzip, NOW, readAllWays, utf8 } from './__test-helpers__/streams';

const record = (n: number): string =>
  JSON.stringify({ date: '2022-02-22', title: `Article ${n}`, body: `Body of article number ${n}.` });

/** The bytes each record's location points at, decoded: must be exactly the JSON of its line. */
function located(content: Uint8Array, records: readonly ArticleRecord[]): string[] {
  return records.map(({ location }) =>
    Buffer.from(content.subarray(location.byteStart, location.byteEnd)).toString('utf8'),
  );
}

function rejectionOf(item: ArticleRecord): { code: string; message: string } {
  if (item.ok) throw new Error(`expected a rejection, got ${item.article.lede}`);
  return item.rejection;
}

describe('readArticles ndjson', () => {
  it('yields one record per line with its line number and byte range', async () => {
    const content = utf8(`${record(1)}\n${record(2)}\n${record(3)}\n`);
    const records = await readAllWays(content, { format: 'ndjson' });
    expect(records.map((item) => item.ok && item.article.lede)).toEqual([
      'Article 1',
      'Article 2',
      'Article 3',
    ]);
    expect(records.map((item) => item.location.line)).toEqual([1, 2, 3]);
    expect(located(content, records)).toEqual([record(1), record(2), record(3)]);
  });

  it('rejects a bad line in the middle with its line number, and reads the others', async () => {
    const content = utf8(
      [record(1), record(2), '{"date": "2022-02-22", "title": "T", body}', record(4), record(5)].join('\n'),
    );
    const records = await readAllWays(content, { format: 'ndjson' });
    expect(codes(records)).toEqual(['ok', 'ok', 'BAD_JSON', 'ok', 'ok']);
    expect(records[2].location).toMatchObject({ line: 3 });
    expect(rejectionOf(records[2]).message).toMatch(/^Line 3 is not valid JSON \(.+\)\.$/);
    expect(located(content, records)[2]).toBe('{"date": "2022-02-22", "title": "T", body}');
  });

  it('skips blank lines but counts them in line numbers', async () => {
    const content = utf8(`\n${record(1)}\n   \n\t\r\n\n${record(2)}\n\n`);
    const records = await readAllWays(content, { format: 'ndjson' });
    expect(records.map((item) => item.location.line)).toEqual([2, 6]);
    expect(located(content, records)).toEqual([record(1), record(2)]);
  });

  it('tolerates CRLF, excluding the CR from the byte range', async () => {
    const content = utf8(`${record(1)}\r\n${record(2)}\r\n`);
    const records = await readAllWays(content, { format: 'ndjson' });
    expect(codes(records)).toEqual(['ok', 'ok']);
    expect(located(content, records)).toEqual([record(1), record(2)]);
  });

  it('tolerates a UTF-8 BOM at the start; line 1 starts after it', async () => {
    const content = utf8(`\ufeff${record(1)}\n${record(2)}`);
    const records = await readAllWays(content, { format: 'ndjson' });
    expect(codes(records)).toEqual(['ok', 'ok']);
    expect(records[0].location).toEqual({ line: 1, byteStart: 3, byteEnd: 3 + record(1).length });
  });

  it('tolerates a BOM at the start of a later line, as concatenated exports leave', async () => {
    const content = utf8(`\ufeff${record(1)}\n\ufeff${record(2)}\n`);
    expect(codes(await readAllWays(content, { format: 'ndjson' }))).toEqual(['ok', 'ok']);
  });

  it('reads a last line without a newline', async () => {
    const records = await readAllWays(utf8(`${record(1)}\n${record(2)}`), { format: 'ndjson' });
    expect(records.map((item) => item.ok && item.article.lede)).toEqual(['Article 1', 'Article 2']);
  });

  it('rejects a line of invalid UTF-8 as NOT_TEXT, only that line', async () => {
    const bad = Uint8Array.from([
      ...utf8('{"date":"2022-02-22","title":"'),
      0xff,
      0xfe,
      ...utf8('","body":"x"}'),
    ]);
    const content = Buffer.concat([utf8(`${record(1)}\n`), bad, utf8(`\n${record(3)}\n`)]);
    const records = await readAllWays(content, { format: 'ndjson' });
    expect(codes(records)).toEqual(['ok', 'NOT_TEXT', 'ok']);
    expect(rejectionOf(records[1]).message).toBe('Line 2 is not valid UTF-8 text.');
    expect(records[1].location).toEqual({
      line: 2,
      byteStart: record(1).length + 1,
      byteEnd: record(1).length + 1 + bad.length,
    });
  });

  it('rejects a line over maxRecordBytes as TOO_LARGE, and goes on', async () => {
    const big = JSON.stringify({ date: '2022-02-22', title: 'Big', body: 'word '.repeat(500) });
    const content = utf8([record(1), big, record(3)].join('\n'));
    const records = await readAllWays(content, { format: 'ndjson', maxRecordBytes: 1000 });
    expect(codes(records)).toEqual(['ok', 'TOO_LARGE', 'ok']);
    expect(rejectionOf(records[1]).message).toBe(
      `Line 2 is ${big.length} bytes, more than the limit of 1000 bytes for one record.`,
    );
    expect(located(content, records)[1]).toBe(big);
    expect(codes(await collect(chunked(content), { format: 'ndjson', maxRecordBytes: big.length }))).toEqual([
      'ok',
      'ok',
      'ok',
    ]);
  });

  it('rejects a line that is not an object as BAD_JSON', async () => {
    const records = await readAllWays(utf8(`[${record(1)}]\n"text"\n42\nnull\n${record(5)}`), {
      format: 'ndjson',
    });
    expect(codes(records)).toEqual(['BAD_JSON', 'BAD_JSON', 'BAD_JSON', 'BAD_JSON', 'ok']);
    expect(records.slice(0, 4).map((item) => rejectionOf(item).message)).toEqual([
      'Line 1 holds an array, not a JSON object; each line must be one article object.',
      'Line 2 holds a string, not a JSON object; each line must be one article object.',
      'Line 3 holds a number, not a JSON object; each line must be one article object.',
      'Line 4 holds null, not a JSON object; each line must be one article object.',
    ]);
  });

  it('names the line in field and date rejections', async () => {
    const content = utf8(
      `${record(1)}\n{"title":"T","body":"B."}\n{"date":"2022-02-30","title":"T","body":"B."}`,
    );
    const records = await readAllWays(content, { format: 'ndjson' });
    expect(records.slice(1).map(rejectionOf)).toEqual([
      {
        code: 'MISSING_FIELD',
        message: 'The record on line 2 needs `date`, `published_at` or `publishedAt`.',
      },
      { code: 'BAD_DATE', message: "The record on line 3 has `date` '2022-02-30', which does not exist." },
    ]);
  });

  it('a single pretty-printed JSON object is not NDJSON: every line is rejected', async () => {
    const pretty = JSON.stringify({ date: '2022-02-22', title: 'T', body: 'B.' }, null, 2);
    const records = await collect(chunked(utf8(pretty)), { format: 'ndjson' });
    expect(new Set(codes(records))).toEqual(new Set(['BAD_JSON']));
  });

  it.each([
    ['zero bytes', '', 'The content is empty (zero bytes).'],
    ['only blank lines', '\n \r\n\t\n', 'The content contains only blank lines.'],
    ['only a BOM', '\ufeff', 'The content contains only blank lines.'],
  ])('yields one EMPTY rejection for %s rather than nothing', async (_, content, message) => {
    const bytes = utf8(content);
    expect(await readAllWays(bytes, { format: 'ndjson' })).toEqual([
      {
        ok: false,
        rejection: { code: 'EMPTY', message },
        location: { byteStart: 0, byteEnd: bytes.byteLength },
      },
    ]);
  });

  it('reads gzipped NDJSON to the same records, for any chunking', async () => {
    const content = utf8(`\ufeff${record(1)}\r\n\n{oops}\n${record(4)}`);
    const plain = await collect(chunked(content), { format: 'ndjson' });
    expect(codes(plain)).toEqual(['ok', 'BAD_JSON', 'ok']);
    expect(await readAllWays(gzip(content), { format: 'ndjson', gzip: true })).toEqual(plain);
  });

  it('pulls the source only as fast as records are consumed', async () => {
    let pulled = 0;
    let finished = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let n = 1; n <= 1000; n++) {
          pulled++;
          yield utf8(`${record(n)}\n`);
        }
      } finally {
        finished = true;
      }
    }
    const reader = readArticles(source(), { format: 'ndjson', gzip: false, now: NOW });
    const first = await reader.next();
    expect(first.done === false && first.value.ok && first.value.article.lede).toBe('Article 1');
    expect(pulled).toBeLessThanOrEqual(2);
    // Stopping early releases the source.
    await reader.return(undefined);
    expect(finished).toBe(true);
    expect(pulled).toBeLessThanOrEqual(2);
  });
});
