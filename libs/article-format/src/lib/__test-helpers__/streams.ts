// Helpers for the readArticles specs (not part of the library's API).
import { gzipSync } from 'node:zlib';

import { readArticles, type ArticleRecord, type ReadArticlesOptions } from '../../index';

export const NOW = new Date('2024-06-15T12:00:00Z');

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export const gzip = (content: Uint8Array | string): Uint8Array =>
  gzipSync(typeof content === 'string' ? utf8(content) : content);

/**
 * Feeds `content` in chunks: a fixed size, or a cycle of sizes (e.g. random ones from fast-check).
 * Each chunk is a copy, as a real stream would hand out.
 */
export async function* chunked(
  content: Uint8Array,
  sizes: number | readonly number[] = content.byteLength || 1,
): AsyncGenerator<Uint8Array> {
  const cycle = typeof sizes === 'number' ? [sizes] : sizes.length > 0 ? sizes : [1];
  let position = 0;
  for (let i = 0; position < content.byteLength; i++) {
    const size = Math.max(1, cycle[i % cycle.length]);
    yield content.slice(position, position + size);
    position += size;
  }
}

export async function collect(
  input: AsyncIterable<Uint8Array>,
  options: Partial<ReadArticlesOptions> & Pick<ReadArticlesOptions, 'format'>,
): Promise<ArticleRecord[]> {
  const records: ArticleRecord[] = [];
  for await (const record of readArticles(input, { gzip: false, now: NOW, ...options })) records.push(record);
  return records;
}

/** Reads `content` whole, byte by byte and in uneven chunks, and checks that all three agree. */
export async function readAllWays(
  content: Uint8Array,
  options: Partial<ReadArticlesOptions> & Pick<ReadArticlesOptions, 'format'>,
): Promise<ArticleRecord[]> {
  const whole = await collect(chunked(content), options);
  const byteByByte = await collect(chunked(content, 1), options);
  const uneven = await collect(chunked(content, [3, 1, 7, 2, 64, 5, 1000, 13]), options);
  expect(byteByByte).toEqual(whole);
  expect(uneven).toEqual(whole);
  return whole;
}

export function codes(records: readonly ArticleRecord[]): string[] {
  return records.map((record) => (record.ok ? 'ok' : record.rejection.code));
}

export function onlyRecord(records: readonly ArticleRecord[]): ArticleRecord {
  expect(records).toHaveLength(1);
  return records[0];
}
