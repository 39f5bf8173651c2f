/**
 * The articles of the storage benchmark: every Reuters-21578 article parsed as ingestion parses it and
 * enriched with the real enrichment library, as `ArticleEnrichedV1` events. Enriching the corpus takes
 * tens of seconds, so the result is cached in `.cache/bench/` under a name that holds the corpus, the
 * enrichment and this generator's versions: a change of any of them generates it again.
 *
 * More articles than the corpus has are its copies: round r of an article has ` [r<r>]` after its lede
 * (distinct content, so a distinct id) and the same body, so the same enrichment; it is a near-duplicate
 * of the original, as the enrichment service would find it (same SimHash, same day).
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';

import { type ParsedArticle, parseArticleText } from '@newsflow/article-format';
import { type ArticleEnrichedV1, type ArticleIngestedV1 } from '@newsflow/contracts';
import {
  ENRICHMENT_VERSION,
  analyseArticle,
  createDocumentFrequencies,
  observeDocument,
  preloadGazetteer,
} from '@newsflow/enrichment';

import { CORPUS_VERSION, loadReutersRecords } from '../corpus';
import { toIngestedEvent } from '../ingested-event';
import { type BenchArticle, articleText, convertReutersRecords } from '../reuters';
import { NearDuplicateFinder } from './near-duplicates';

/** Bump when the generated events change for a reason the corpus and enrichment versions do not show. */
export const GENERATOR_VERSION = 1;

/** Objects of the benchmark live in this bucket; a `source` filter of `bench-storage/` matches them all. */
export const BENCH_BUCKET = 'bench-storage';
export const BENCH_PUBLISHER = 'Reuters';

export interface EnrichedCorpus {
  /** One event per corpus article, in corpus order (round 0). */
  base: ArticleEnrichedV1[];
  /** How the cache was obtained, for the report. */
  generated: boolean;
  /** Seconds spent generating (enrichment included) or reading the cache. */
  seconds: number;
  file: string;
}

export function enrichedCorpusFile(repoRoot: string): string {
  return join(
    repoRoot,
    '.cache',
    'bench',
    `storage-events-c${CORPUS_VERSION}-e${ENRICHMENT_VERSION}-g${GENERATOR_VERSION}.ndjson`,
  );
}

/** The cached events, generated first when missing (or when `regenerate`). */
export async function loadEnrichedCorpus(repoRoot: string, regenerate: boolean): Promise<EnrichedCorpus> {
  const file = enrichedCorpusFile(repoRoot);
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  if (!regenerate && existsSync(file)) {
    return { base: await readEvents(file), generated: false, seconds: seconds(), file };
  }
  const base = generateEnrichedCorpus(new Date());
  mkdirSync(join(file, '..'), { recursive: true });
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  for (const event of base) {
    if (!out.write(`${JSON.stringify(event)}\n`)) await once(out, 'drain');
  }
  out.end();
  await finished(out);
  renameSync(partial, file);
  return { base, generated: true, seconds: seconds(), file };
}

async function readEvents(file: string): Promise<ArticleEnrichedV1[]> {
  const events: ArticleEnrichedV1[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line !== '') events.push(JSON.parse(line) as ArticleEnrichedV1);
  return events;
}

/**
 * The corpus as the pipeline would see it, in corpus order: parsed from its text form, enriched with
 * keyword frequencies of the articles before it (as the service's stream statistics) and placed in
 * near-duplicate stories.
 */
export function generateEnrichedCorpus(now: Date): ArticleEnrichedV1[] {
  const { articles } = convertReutersRecords(loadReutersRecords());
  preloadGazetteer();
  const frequencies = createDocumentFrequencies();
  const stories = new NearDuplicateFinder();
  const events: ArticleEnrichedV1[] = [];
  const seen = new Set<string>();
  articles.forEach((source, index) => {
    const article = ingestedArticle(source, 0, index, now);
    // The corpus repeats a few articles word for word: ingestion would publish them once.
    if (article === undefined || seen.has(article.id)) return;
    seen.add(article.id);
    const analysis = analyseArticle(article, { now, documentFrequencies: frequencies });
    observeDocument(
      frequencies,
      analysis.keyphrases.map((candidate) => candidate.phrase),
    );
    const { simhash } = analysis.enrichment;
    const nearDuplicate =
      simhash === undefined
        ? undefined
        : stories.place({ id: article.id, simhash, publishedAt: article.publishedAt });
    events.push({ article, enrichment: { ...analysis.enrichment, ...(nearDuplicate && { nearDuplicate }) } });
  });
  return events;
}

/** The text file a Reuters article would be, parsed and turned into the ingested event. */
function ingestedArticle(
  source: BenchArticle,
  round: number,
  index: number,
  now: Date,
): ArticleIngestedV1 | undefined {
  const content = Buffer.from(articleText(source, round), 'utf8');
  const parsed = parseArticleText(content, { now });
  if (!parsed.ok) return undefined;
  return eventOf(parsed.article, content.byteLength, index, now);
}

function eventOf(article: ParsedArticle, sizeBytes: number, index: number, now: Date): ArticleIngestedV1 {
  const at = now.toISOString();
  return toIngestedEvent(
    {
      article,
      fields: { publisher: BENCH_PUBLISHER },
      location: { byteStart: 0, byteEnd: sizeBytes },
      // A folder per thousand articles, so that `source` prefixes select parts of the corpus.
      object: { bucket: BENCH_BUCKET, key: objectKey(index), sizeBytes },
    },
    { firstSeenAt: at, ingestedAt: at },
  );
}

export function objectKey(index: number): string {
  return `reuters/${String(Math.floor(index / 1000)).padStart(3, '0')}/${String(index).padStart(6, '0')}.txt`;
}

/**
 * Article `index` of an endless sequence: the corpus in order, then its round-1 copies, and so on.
 * Copies keep their original's enrichment and become near-duplicates of it.
 */
export function articleAt(base: readonly ArticleEnrichedV1[], index: number): ArticleEnrichedV1 {
  const original = base[index % base.length];
  if (original === undefined) throw new Error('The enriched corpus is empty');
  const round = Math.floor(index / base.length);
  if (round === 0) return original;
  const { article, enrichment } = original;
  const now = new Date(article.ingestedAt);
  const text = `date ${article.publishedAt} ${article.lede} [r${round}]\n\n${article.paragraphs.join('\n\n')}\n`;
  const content = Buffer.from(text, 'utf8');
  const parsed = parseArticleText(content, { now });
  if (!parsed.ok)
    throw new Error(`Copy ${round} of article ${article.id} does not parse: ${parsed.rejection.code}`);
  const storyId = enrichment.nearDuplicate?.storyId ?? article.id;
  return {
    article: eventOf(parsed.article, content.byteLength, index, now),
    enrichment: { ...enrichment, nearDuplicate: { of: article.id, distance: 0, storyId } },
  };
}

/** Articles `from` (inclusive) to `to` (exclusive) of the sequence, generated one at a time. */
export function* articlesBetween(
  base: readonly ArticleEnrichedV1[],
  from: number,
  to: number,
): Generator<ArticleEnrichedV1> {
  for (let index = from; index < to; index++) yield articleAt(base, index);
}
