import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { parseArticleText, readArticles, type ArticleRecord, type ParsedArticle } from '../index';
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
// The same hash the text parser's spec pins, computed independently of this library.
const SAMPLE_HASH = '450adbcdbfac63f2355518315579493deccc293369c186dd827c9b8fdcb30965';

function article(record: ArticleRecord): ParsedArticle {
  if (!record.ok) throw new Error(`rejected: ${record.rejection.code}: ${record.rejection.message}`);
  return record.article;
}

describe('readArticles: text format', () => {
  it('reads the whole input as one article, located over all of it', async () => {
    const record = onlyRecord(await readAllWays(SAMPLE, { format: 'text' }));
    expect(record).toEqual({
      ok: true,
      article: (parseArticleText(SAMPLE, { now: NOW }) as { article: ParsedArticle }).article,
      fields: {},
      location: { byteStart: 0, byteEnd: SAMPLE.byteLength },
    });
    expect(article(record).contentHash).toBe(SAMPLE_HASH);
  });

  it('reads a gzipped text file to the same article', async () => {
    const plain = onlyRecord(await collect(chunked(SAMPLE), { format: 'text' }));
    const zipped = onlyRecord(await readAllWays(gzip(SAMPLE), { format: 'text', gzip: true }));
    expect(zipped).toEqual(plain);
  });

  it('passes the text parser’s rejections through', async () => {
    const record = onlyRecord(
      await collect(chunked(utf8('date 2022-02-30 Lede\n\nBody.')), { format: 'text' }),
    );
    expect(record).toMatchObject({
      ok: false,
      rejection: { code: 'BAD_DATE' },
      location: { byteStart: 0, byteEnd: 27 },
    });
    expect(codes(await collect(chunked(new Uint8Array(0)), { format: 'text' }))).toEqual(['EMPTY']);
  });

  it('rejects an input over maxBytes as TOO_LARGE (counted after decompression)', async () => {
    const content = utf8(`date 2022-02-22 Lede\n\n${'word '.repeat(100)}`);
    const limit = content.byteLength - 1;
    const [plain] = await collect(chunked(content, 7), { format: 'text', maxBytes: limit });
    expect(plain).toEqual({
      ok: false,
      rejection: { code: 'TOO_LARGE', message: `The content is more than the limit of ${limit} bytes.` },
      location: { byteStart: 0 },
    });
    const zipped = gzip(content);
    expect(zipped.byteLength).toBeLessThan(limit);
    const [unzipped] = await collect(chunked(zipped), { format: 'text', gzip: true, maxBytes: limit });
    expect(!unzipped.ok && unzipped.rejection).toEqual({
      code: 'TOO_LARGE',
      message: `The content is more than the limit of ${limit} bytes after decompression.`,
    });
    expect(codes(await collect(chunked(content), { format: 'text', maxBytes: content.byteLength }))).toEqual([
      'ok',
    ]);
  });

  it('stops reading a source that is over the limit instead of draining it', async () => {
    let pulled = 0;
    const endless = Readable.from(
      (function* () {
        for (;;) {
          pulled++;
          yield Buffer.alloc(64 * 1024, 0x61);
        }
      })(),
    );
    expect(codes(await collect(endless, { format: 'text', maxBytes: 1024 * 1024 }))).toEqual(['TOO_LARGE']);
    expect(pulled).toBeLessThan(40);
    expect(endless.destroyed).toBe(true);
  });
});

describe('readArticles: gzip', () => {
  const ndjson = [
    '{"date":"2022-02-22","title":"One","body":"First body."}',
    '{"date":"2022-02-22","title":"Two","body":"Second body."}',
    '{"date":"2022-02-22","title":"Three","body":"Third body."}',
  ].join('\n');

  it.each(['text', 'json', 'ndjson'] as const)(
    'rejects garbage named .gz as BAD_GZIP (%s)',
    async (format) => {
      const [record, ...rest] = await collect(chunked(utf8('this is not gzip at all')), {
        format,
        gzip: true,
      });
      expect(rest).toEqual([]);
      expect(record).toEqual({
        ok: false,
        rejection: {
          code: 'BAD_GZIP',
          message:
            'The content cannot be decompressed: the gzip data is corrupt or truncated (incorrect header check).',
        },
        location: { byteStart: 0 },
      });
    },
  );

  it.each(['text', 'json'] as const)('rejects a truncated %s.gz as a whole', async (format) => {
    const zipped = gzip(
      format === 'text' ? SAMPLE : utf8(JSON.stringify({ date: '2022-02-22', title: 'T', body: 'B.' })),
    );
    const records = await collect(chunked(zipped.subarray(0, zipped.byteLength - 4), 5), {
      format,
      gzip: true,
    });
    expect(codes(records)).toEqual(['BAD_GZIP']);
    expect(!records[0].ok && records[0].rejection.message).toMatch(/unexpected end of file/);
  });

  it('keeps the NDJSON records read before a truncation, then yields one BAD_GZIP', async () => {
    const zipped = gzip(`${ndjson}\n`.repeat(2000));
    const records = await collect(chunked(zipped.subarray(0, Math.floor(zipped.byteLength / 2)), 1000), {
      format: 'ndjson',
      gzip: true,
    });
    const last = records[records.length - 1];
    expect(last).toMatchObject({ ok: false, rejection: { code: 'BAD_GZIP' } });
    const before = records.slice(0, -1);
    expect(before.length).toBeGreaterThan(100);
    expect(before.every((record) => record.ok)).toBe(true);
    // The records before the corruption are complete lines, in order, none of them partial.
    expect(before.map((record) => record.location.line)).toEqual(before.map((_, index) => index + 1));
    expect(last.location).toEqual({ byteStart: 0 });
  });

  it('rejects corrupt deflate data inside a valid gzip header', async () => {
    const zipped = gzip(`${ndjson}\n`.repeat(200));
    const corrupt = Uint8Array.from(zipped);
    for (let i = 20; i < 60; i++) corrupt[i] ^= 0x5a;
    const records = await collect(chunked(corrupt), { format: 'ndjson', gzip: true });
    expect(codes(records).at(-1)).toBe('BAD_GZIP');
    expect(codes(records).filter((code) => code === 'BAD_GZIP')).toHaveLength(1);
  });

  it('reads concatenated gzip members as one stream, as gunzip does', async () => {
    const lines = ndjson.split('\n');
    const members = Buffer.concat([
      gzip(`${lines[0]}\n${lines[1].slice(0, 20)}`),
      gzip(`${lines[1].slice(20)}\n${lines[2]}`),
    ]);
    expect(codes(await readAllWays(members, { format: 'ndjson', gzip: true }))).toEqual(['ok', 'ok', 'ok']);
  });

  it('treats a zero-byte .gz as EMPTY rather than corrupt', async () => {
    for (const format of ['text', 'json', 'ndjson'] as const) {
      expect(codes(await collect(chunked(new Uint8Array(0)), { format, gzip: true }))).toEqual(['EMPTY']);
    }
  });

  it('lets an I/O error of the source propagate instead of calling it BAD_GZIP', async () => {
    const failing = async function* (): AsyncGenerator<Uint8Array> {
      yield gzip(ndjson).subarray(0, 10);
      throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    };
    await expect(collect(failing(), { format: 'ndjson', gzip: true })).rejects.toThrow('read ECONNRESET');
    await expect(collect(failing(), { format: 'json', gzip: true })).rejects.toThrow('read ECONNRESET');
    await expect(collect(failing(), { format: 'text', gzip: false })).rejects.toThrow('read ECONNRESET');
  });

  it('reads a gzipped NDJSON from a real Readable stream', async () => {
    const stream = Readable.from([Buffer.from(gzip(ndjson))]);
    const records = [];
    for await (const record of readArticles(stream, { format: 'ndjson', gzip: true, now: NOW }))
      records.push(record);
    expect(records.map((record) => record.ok && record.article.lede)).toEqual(['One', 'Two', 'Three']);
  });
});

describe('readArticles: options', () => {
  it('applies `now` to the date rule', async () => {
    const json = utf8('{"date":"2024-06-16","title":"T","body":"Words here."}');
    expect(codes(await collect(chunked(json), { format: 'json', now: NOW }))).toEqual(['ok']);
    expect(
      codes(await collect(chunked(json), { format: 'json', now: new Date('2024-06-14T12:00:00Z') })),
    ).toEqual(['BAD_DATE']);
  });

  it('falls back to defaults for invalid limits instead of rejecting everything', async () => {
    const json = utf8('{"date":"2022-02-22","title":"T","body":"Words here."}');
    expect(codes(await collect(chunked(json), { format: 'json', maxBytes: Number.NaN }))).toEqual(['ok']);
    expect(codes(await collect(chunked(json), { format: 'ndjson', maxRecordBytes: -1 }))).toEqual(['ok']);
  });

  it('answers an unknown format from plain JavaScript with UNKNOWN_FORMAT', async () => {
    const options = { format: 'xml' } as unknown as { format: 'text' };
    expect(codes(await collect(chunked(utf8('<a/>')), options))).toEqual(['UNKNOWN_FORMAT']);
  });
});
