import { LOG_LEVELS, integerAtLeast, readFlags } from '../flags';

export interface StorageBenchOptions {
  /** Articles through the consumer path, and COPY of the same rows. */
  count: number;
  /** Articles stored before the query phase (the consumer path's, then bulk-loaded ones). */
  queryArticles: number;
  /** Timed requests, and untimed ones before them. */
  queries: number;
  warmup: number;
  /** Corpus articles shorter than this are left out (see USAGE). */
  minWords: number;
  /** Articles per publish request. */
  publishBatch: number;
  /** KAFKA_MAX_BATCH_SIZE of the service; undefined keeps the service's default. */
  maxBatchSize: number | undefined;
  seed: number;
  logLevel: string;
  skipQueries: boolean;
  keep: boolean;
  regenerate: boolean;
  help: boolean;
}

export const DEFAULT_STORAGE_OPTIONS: StorageBenchOptions = {
  count: 20_000,
  queryArticles: 100_000,
  queries: 1_000,
  warmup: 100,
  minWords: 150,
  publishBatch: 500,
  maxBatchSize: undefined,
  seed: 1,
  logLevel: 'info',
  skipQueries: false,
  keep: false,
  regenerate: false,
  help: false,
};

export const STORAGE_USAGE = `Usage: npm run bench:storage -- [options]

Measures the storage service (its build, \`npx nx run storage:build\`) on Reuters-21578 articles enriched
with @newsflow/enrichment, in a database of its own (<database of DATABASE_URL>_bench_<random>):

  1. consumer path: the articles' ingested and enriched events are published to the contract topics,
     then the service drains them with a consumer group of its own: articles/s stored with their
     entities, from its consumer joining the group to the last offset committed;
  2. raw COPY: the same rows COPYed into a staging copy of storage's tables (logged, same indexes,
     generated columns and foreign keys): rows/s, articles/s and the consumer/COPY ratio;
  3. queries: articles bulk-loaded (COPY, not timed) up to --query-articles, VACUUM ANALYZE, then a
     seeded mix of GET /api/articles queries, one at a time: p50/p95/p99 overall and per kind.

Needs a Kafka broker (KAFKA_BROKERS, default 127.0.0.1:9092; \`npm run kafka -- start\`) and Postgres
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/newsflow). Services consuming the contract
topics on that broker will see the published events.

  --count <n>            articles through the consumer path and COPY (default 20000)
  --query-articles <n>   stored articles for the query phase (default 100000)
  --queries <n>          timed requests (default 1000)
  --warmup <n>           untimed requests first (default 100)
  --min-words <n>        leave out corpus articles with fewer words (default 150: Reuters wires average
                         142 words and 6 entities; from 150 words, 300 words and 11.5 entities, closer
                         to today's articles); articles beyond the corpus are copies of it
  --publish-batch <n>    articles per publish request (default 500, as ingestion)
  --max-batch-size <n>   KAFKA_MAX_BATCH_SIZE of the service (default: the service's, 500)
  --seed <n>             seed of the query mix (default 1)
  --log-level <level>    LOG_LEVEL of the service (default info, as in production)
  --skip-queries         stop after the consumer path and COPY
  --keep                 keep the database (its name is printed) instead of dropping it
  --regenerate           enrich the corpus again instead of using .cache/bench/
  --help                 show this text`;

export type ParsedStorageArgs = { ok: true; options: StorageBenchOptions } | { ok: false; message: string };

type CountOption = 'count' | 'queryArticles' | 'queries' | 'publishBatch' | 'maxBatchSize';
const COUNT_FLAGS: Readonly<Record<string, CountOption>> = {
  '--count': 'count',
  '--query-articles': 'queryArticles',
  '--queries': 'queries',
  '--publish-batch': 'publishBatch',
  '--max-batch-size': 'maxBatchSize',
};
type NonNegativeOption = 'warmup' | 'minWords' | 'seed';
const NON_NEGATIVE_FLAGS: Readonly<Record<string, NonNegativeOption>> = {
  '--warmup': 'warmup',
  '--min-words': 'minWords',
  '--seed': 'seed',
};

export function parseStorageArgs(argv: readonly string[]): ParsedStorageArgs {
  const options: StorageBenchOptions = { ...DEFAULT_STORAGE_OPTIONS };
  for (const { arg, flag, value } of readFlags(argv)) {
    const count = COUNT_FLAGS[flag];
    const nonNegative = NON_NEGATIVE_FLAGS[flag];
    if (count !== undefined) {
      const parsed = integerAtLeast(value(), 1);
      if (parsed === undefined) return fail(`${flag} needs a positive integer`);
      options[count] = parsed;
    } else if (nonNegative !== undefined) {
      const parsed = integerAtLeast(value(), 0);
      if (parsed === undefined) return fail(`${flag} needs an integer of 0 or more`);
      options[nonNegative] = parsed;
    } else if (flag === '--log-level') {
      const level = value();
      if (level === undefined || !LOG_LEVELS.includes(level))
        return fail(`${flag} needs one of ${LOG_LEVELS.join(', ')}`);
      options.logLevel = level;
    } else if (flag === '--skip-queries') options.skipQueries = true;
    else if (flag === '--keep') options.keep = true;
    else if (flag === '--regenerate') options.regenerate = true;
    else if (flag === '--help' || flag === '-h') options.help = true;
    else return fail(`Unknown argument ${arg}`);
  }
  if (!options.skipQueries && options.queryArticles < options.count) {
    return fail(`--query-articles (${options.queryArticles}) must be at least --count (${options.count})`);
  }
  return { ok: true, options };
}

function fail(message: string): ParsedStorageArgs {
  return { ok: false, message: `${message}\n\n${STORAGE_USAGE}` };
}
