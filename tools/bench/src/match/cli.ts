/**
 * `npm run bench:match`: how many enriched articles a second one core matches against 10,000
 * subscriptions with the inverted index of @newsflow/subscription-matching, as the notification
 * service does (analysis of the article included). Also prints the index build time, its memory, the
 * subscriptions tested per article, and the same articles tested against every subscription (no
 * index) for comparison, with a check that both give the same matches. A benchmark, not a test: exit
 * code 0 whatever the numbers, 1 when the two matchers disagree, 2 for a usage problem.
 *
 *   npm run bench:match -- [--subscriptions 10000] [--articles 2000] [--seconds 10] [--seed 20261128]
 *
 * Results also go to bench/results/match-<timestamp>.{json,md}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import {
  type MatchableArticle,
  SubscriptionIndex,
  compileFilter,
  matchFilter,
  matchableArticle,
} from '@newsflow/subscription-matching';

import { findRepoRoot } from '../repo-root';
import { enrichedReutersArticles } from './enriched-articles';
import { type BenchSubscription, SUBSCRIPTION_MIX, generateSubscriptions } from './generate-subscriptions';

const AIM_ARTICLES_PER_SECOND = 1_000;

interface Options {
  subscriptions: number;
  articles: number;
  seconds: number;
  seed: number;
}

const USAGE = `Usage: npm run bench:match -- [--subscriptions 10000] [--articles 2000] [--seconds 10] [--seed N]`;

function parseArgs(argv: readonly string[]): Options | string {
  const options: Options = { subscriptions: 10_000, articles: 2_000, seconds: 10, seed: 20_261_128 };
  for (let index = 0; index < argv.length; index += 2) {
    const [name, value] = [argv[index], Number(argv[index + 1])];
    const key = name?.replace(/^--/, '') as keyof Options;
    if (!(key in options) || !Number.isFinite(value) || value <= 0)
      return `bad option ${name} ${argv[index + 1] ?? ''}\n${USAGE}`;
    options[key] = value;
  }
  return options;
}

/** A full collection, for memory figures that are not garbage waiting to be collected. */
const collectGarbage: () => void = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

const heapUsed = () => {
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mb = (bytes: number) => `${fmt(bytes / 1_000_000, 1)} MB`;

function main(argv: readonly string[]): number {
  const options = parseArgs(argv);
  if (typeof options === 'string') {
    console.error(options);
    return 2;
  }
  const load = loadavg()[0] ?? 0;
  console.log(
    `bench:match on ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load ${fmt(load, 2)}`,
  );

  let started = performance.now();
  const events = enrichedReutersArticles(options.articles);
  const enrichSeconds = (performance.now() - started) / 1000;
  console.log(
    `  ${fmt(events.length)} Reuters articles enriched in ${fmt(enrichSeconds, 1)} s (not timed below)`,
  );

  const subscriptions = generateSubscriptions(events, options.subscriptions, options.seed);
  const kinds = new Map<string, number>();
  for (const subscription of subscriptions)
    kinds.set(subscription.kind, (kinds.get(subscription.kind) ?? 0) + 1);
  console.log(
    `  ${fmt(subscriptions.length)} subscriptions: ${[...kinds].map(([kind, n]) => `${kind} ${fmt(n)}`).join(', ')}`,
  );

  // Build: the median of 5, and the heap the index holds (the subscriptions themselves excluded).
  const builds: number[] = [];
  const heapBefore = heapUsed();
  let index = SubscriptionIndex.build<BenchSubscription>([]);
  for (let round = 0; round < 5; round++) {
    started = performance.now();
    index = SubscriptionIndex.build(subscriptions);
    builds.push(performance.now() - started);
  }
  const indexBytes = heapUsed() - heapBefore;
  const buildMs = [...builds].sort((a, b) => a - b)[2] ?? 0;
  const stats = index.stats();
  console.log(
    `  index: built in ${fmt(buildMs, 1)} ms (median of 5), ${mb(indexBytes)} of heap, ${fmt(stats.keys)} keys, ` +
      `${fmt(stats.alwaysChecked)} subscriptions always checked`,
  );

  // Match: analysis + index lookup + exact tests, article after article, for --seconds.
  for (const event of events.slice(0, 200)) index.match(matchableArticle(event));
  const probe = { candidates: 0 };
  const micros: number[] = [];
  let candidates = 0;
  let matches = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const cpuStart = process.cpuUsage();
  started = performance.now();
  for (let next = 0; performance.now() < deadline; next++) {
    const t0 = performance.now();
    const found = index.match(
      matchableArticle(events[next % events.length] as (typeof events)[number]),
      probe,
    );
    micros.push((performance.now() - t0) * 1000);
    candidates += probe.candidates;
    matches += found.length;
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const matched = micros.length;
  const rate = matched / wallSeconds;
  micros.sort((a, b) => a - b);
  console.log(
    `  matched ${fmt(matched)} articles in ${fmt(wallSeconds, 1)} s: ${fmt(rate)} articles/s ` +
      `(${fmt(matched / cpuSeconds)} per CPU-second), p50 ${fmt(percentile(micros, 50))} µs, p99 ${fmt(percentile(micros, 99))} µs`,
  );
  console.log(
    `  per article: ${fmt(candidates / matched, 1)} subscriptions tested of ${fmt(subscriptions.length)}, ` +
      `${fmt(matches / matched, 2)} matches`,
  );

  // Without the index: every subscription against every article, on a sample; and the same answers.
  const compiled = subscriptions.map((subscription) => ({
    subscription,
    filter: compileFilter(subscription.filter),
  }));
  const sample = events.slice(0, Math.min(events.length, 200)).map(matchableArticle);
  started = performance.now();
  const bruteForce = sample.map((article: MatchableArticle) =>
    compiled
      .filter((entry) => matchFilter(entry.filter, article) !== undefined)
      .map((entry) => entry.subscription.id)
      .sort(),
  );
  const bruteRate = sample.length / ((performance.now() - started) / 1000);
  const disagreements = sample.filter((article, position) => {
    const viaIndex = index
      .match(article)
      .map((match) => match.subscription.id)
      .sort();
    return JSON.stringify(viaIndex) !== JSON.stringify(bruteForce[position]);
  }).length;
  console.log(
    `  without the index: ${fmt(bruteRate)} articles/s (every subscription tested); ` +
      `same matches on ${fmt(sample.length - disagreements)} of ${fmt(sample.length)} articles`,
  );
  const pass = rate >= AIM_ARTICLES_PER_SECOND;
  console.log(`  aim ≥ ${fmt(AIM_ARTICLES_PER_SECOND)} articles/s on one core: ${pass ? 'PASS' : 'FAIL'}`);

  const result = {
    startedAt: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    loadAverage: load,
    options,
    mix: SUBSCRIPTION_MIX,
    articles: events.length,
    subscriptions: subscriptions.length,
    index: { buildMs, heapBytes: indexBytes, keys: stats.keys, alwaysChecked: stats.alwaysChecked },
    matching: {
      articlesPerSecond: rate,
      articlesPerCpuSecond: matched / cpuSeconds,
      p50Micros: percentile(micros, 50),
      p99Micros: percentile(micros, 99),
      candidatesPerArticle: candidates / matched,
      matchesPerArticle: matches / matched,
    },
    withoutIndex: { articlesPerSecond: bruteRate, disagreements },
    aim: { articlesPerSecond: AIM_ARTICLES_PER_SECOND, pass },
  };
  const root = findRepoRoot(__dirname);
  const directory = join(root, 'bench', 'results');
  mkdirSync(directory, { recursive: true });
  const base = join(directory, `match-${result.startedAt.replace(/[:.]/g, '-')}`);
  writeFileSync(`${base}.json`, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(
    `${base}.md`,
    [
      `# bench:match ${result.startedAt}`,
      '',
      `${fmt(events.length)} enriched Reuters articles, ${fmt(subscriptions.length)} subscriptions, one core, load ${fmt(load, 2)}.`,
      '',
      '| What | Result |',
      '| --- | --- |',
      `| Matching | ${fmt(rate)} articles/s, p50 ${fmt(result.matching.p50Micros)} µs, p99 ${fmt(result.matching.p99Micros)} µs |`,
      `| Subscriptions tested per article | ${fmt(result.matching.candidatesPerArticle, 1)} |`,
      `| Index build | ${fmt(buildMs, 1)} ms, ${mb(indexBytes)} |`,
      `| Without the index | ${fmt(bruteRate)} articles/s |`,
      '',
    ].join('\n'),
  );
  console.log(`  results: ${relative(process.cwd(), base)}.{json,md}`);
  return disagreements === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
