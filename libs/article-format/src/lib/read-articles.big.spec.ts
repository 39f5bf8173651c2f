import { readArticles } from '../index';
import { NOW } from './__test-helpers__/streams';

const TARGET_BYTES = 50 * 1024 * 1024;
const LINES_PER_CHUNK = 100;

const PARAGRAPH =
  'Russian lawmakers have voted in favor of ratifying agreements underpinning political cooperation and military support, after a proclamation was signed on the same day.';

/** One realistic record (~600 bytes), different for every n so that every id is different. */
function line(n: number): string {
  return JSON.stringify({
    date: '2022-02-22',
    title: `Article number ${n} about the decision`,
    body: `${PARAGRAPH} Item ${n}.\n\n${PARAGRAPH}\n\n${PARAGRAPH}`,
    source: 'Newsflow',
    url: `https://example.com/articles/${n}`,
  });
}

/** Generated lazily, one chunk of lines at a time, and never held in memory as a whole. */
async function* generatedNdjson(stats: { lines: number; bytes: number }): AsyncGenerator<Uint8Array> {
  const encoder = new TextEncoder();
  while (stats.bytes < TARGET_BYTES) {
    let text = '';
    for (let i = 0; i < LINES_PER_CHUNK; i++) text += `${line(++stats.lines)}\n`;
    const chunk = encoder.encode(text);
    stats.bytes += chunk.byteLength;
    yield chunk;
  }
}

describe('readArticles: a large NDJSON stream', () => {
  it('reads 50 MB of records generated on the fly', async () => {
    const stats = { lines: 0, bytes: 0 };
    let articles = 0;
    let rejections = 0;
    const started = process.hrtime.bigint();
    for await (const record of readArticles(generatedNdjson(stats), {
      format: 'ndjson',
      gzip: false,
      now: NOW,
    })) {
      if (record.ok) articles++;
      else rejections++;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;

    expect(rejections).toBe(0);
    expect(articles).toBe(stats.lines);
    expect(stats.bytes).toBeGreaterThanOrEqual(TARGET_BYTES);
    console.log(
      `NDJSON: ${articles} records, ${(stats.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s: ` +
        `${Math.round(articles / seconds)} records/s, ${(stats.bytes / 1e6 / seconds).toFixed(1)} MB/s (generation included)`,
    );
  }, 60_000);
});
