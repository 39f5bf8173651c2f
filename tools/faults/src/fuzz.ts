/**
 * Malformed input files for scenario 6, built from real articles so that they look like what a broken
 * feed sends: every file is invalid by construction (each category breaks a rule the ingestion format
 * enforces), and the same seed always gives the same files, so a failure can be reproduced.
 */
import { gzipSync } from 'node:zlib';

export const FUZZ_CATEGORIES = [
  'empty',
  'not-utf8',
  'no-header',
  'bad-date',
  'no-body',
  'bad-json',
  'json-missing-field',
  'unknown-extension',
  'bad-gzip',
] as const;
export type FuzzCategory = (typeof FUZZ_CATEGORIES)[number];

export interface FuzzFile {
  name: string;
  content: Buffer;
  category: FuzzCategory;
}

/** A small seeded PRNG (mulberry32): deterministic and good enough to pick mutations. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A real article to break: its date, lede and paragraphs. */
export interface FuzzSample {
  date: string;
  lede: string;
  paragraphs: string[];
}

type Random = () => number;
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const IMPOSSIBLE_DATES = ['2022-13-01', '2022-02-30', '1987-00-10', '1987-04-31', '12-03-1987', '1987/03/12'];
const WRONG_HEADERS = ['dat', 'published', 'when', '#', 'on'];
const UNKNOWN_EXTENSIONS = ['docx', 'pdf', 'html', 'xml', 'csv', 'md'];

function body(sample: FuzzSample): string {
  return sample.paragraphs.join('\n\n');
}

function breakFile(
  category: FuzzCategory,
  sample: FuzzSample,
  random: Random,
): { ext: string; content: Buffer } {
  const text = (value: string, ext = 'txt') => ({ ext, content: Buffer.from(value, 'utf8') });
  switch (category) {
    case 'empty':
      return text(pick(random, ['', ' ', '\n\n\n', '\t \r\n', '\uFEFF']));
    case 'not-utf8': {
      // A real article with bytes no UTF-8 decoder accepts (a lone continuation byte, an overlong form).
      const valid = Buffer.from(`date ${sample.date} ${sample.lede}\n\n${body(sample)}`, 'utf8');
      const at = Math.floor(random() * valid.length);
      const bad = pick(random, [Buffer.from([0xff]), Buffer.from([0xc0, 0x80]), Buffer.from([0x80, 0x80])]);
      return { ext: 'txt', content: Buffer.concat([valid.subarray(0, at), bad, valid.subarray(at)]) };
    }
    case 'no-header':
      return random() < 0.5
        ? text(`${sample.lede}\n\n${body(sample)}`)
        : text(`${pick(random, WRONG_HEADERS)} ${sample.date} ${sample.lede}\n\n${body(sample)}`);
    case 'bad-date':
      return text(`date ${pick(random, IMPOSSIBLE_DATES)} ${sample.lede}\n\n${body(sample)}`);
    case 'no-body':
      return text(`date ${sample.date} ${sample.lede}${pick(random, ['', '\n', '\n\n', '\n\n  \n'])}`);
    case 'bad-json': {
      const json = JSON.stringify({ date: sample.date, title: sample.lede, body: body(sample) });
      const broken = pick(random, [
        json.slice(0, 1 + Math.floor(random() * (json.length - 2))),
        json.replace('{', '['),
        JSON.stringify([json]),
        JSON.stringify(sample.lede),
        'null',
      ]);
      return text(broken, 'json');
    }
    case 'json-missing-field': {
      const record: Record<string, unknown> = { date: sample.date, title: sample.lede, body: body(sample) };
      const field = pick(random, ['date', 'title', 'body'] as const);
      if (random() < 0.5) delete record[field];
      else record[field] = pick(random, [42, null, ['a'], {}]);
      return text(JSON.stringify(record), 'json');
    }
    case 'unknown-extension':
      return text(`date ${sample.date} ${sample.lede}\n\n${body(sample)}`, pick(random, UNKNOWN_EXTENSIONS));
    case 'bad-gzip': {
      const zipped = gzipSync(Buffer.from(`date ${sample.date} ${sample.lede}\n\n${body(sample)}`));
      // Truncated or with its deflate stream overwritten: either way not a valid gzip member.
      const content =
        random() < 0.5
          ? zipped.subarray(0, Math.max(12, Math.floor(zipped.length / 2)))
          : Buffer.concat([zipped.subarray(0, 10), Buffer.alloc(zipped.length - 10, 0xff)]);
      return { ext: 'txt.gz', content };
    }
  }
}

/** `count` malformed files, the categories in turn, each from a sample picked at random. */
export function fuzzFiles(count: number, seed: number, samples: readonly FuzzSample[]): FuzzFile[] {
  if (samples.length === 0) throw new Error('fuzzFiles needs at least one sample article');
  const random = seededRandom(seed);
  const files: FuzzFile[] = [];
  for (let i = 0; i < count; i++) {
    const category = FUZZ_CATEGORIES[i % FUZZ_CATEGORIES.length] as FuzzCategory;
    const { ext, content } = breakFile(category, pick(random, samples), random);
    files.push({ name: `fuzz-${String(i).padStart(5, '0')}-${category}.${ext}`, content, category });
  }
  return files;
}
