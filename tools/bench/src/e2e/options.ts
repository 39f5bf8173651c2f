/** Command-line options of `npm run bench` (the end-to-end benchmark), parsed without side effects. */
import { LOG_LEVELS, integerAtLeast, readFlags } from '../flags';

export interface E2eBenchOptions {
  /** Articles dropped at full speed. */
  articles: number;
  /** Share of them written as NDJSON files (the rest are one text file each). */
  ndjsonShare: number;
  /** Articles per NDJSON file (ingestion refuses objects over INGEST_MAX_FILE_BYTES, 5 MB by default). */
  ndjsonPerFile: number;
  /** Offered rate of the steady phase, articles (text files) per second. */
  rate: number;
  steadySeconds: number;
  /**
   * Seconds of text files at `rate` before anything is measured, so that the phases see the broker's
   * and the services' code compiled (JIT) and their caches and pools filled; 0 for none.
   */
  warmupSeconds: number;
  skipSteady: boolean;
  skipFull: boolean;
  skipBuild: boolean;
  /** INBOX_STABLE_MS of ingestion; undefined keeps the service's default (200 ms). */
  inboxStableMs: number | undefined;
  /** Give up on a phase when no article has progressed for this long. */
  stallSeconds: number;
  logLevel: string;
  /** Write a V8 CPU profile of each service (NODE_OPTIONS=--cpu-prof) into .cache/bench/e2e/profiles/. */
  cpuProf: boolean;
  keep: boolean;
  help: boolean;
}

export const DEFAULT_E2E_OPTIONS: E2eBenchOptions = {
  articles: 20_000,
  ndjsonShare: 0.5,
  ndjsonPerFile: 1_000,
  rate: 100,
  steadySeconds: 30,
  warmupSeconds: 10,
  skipSteady: false,
  skipFull: false,
  skipBuild: false,
  inboxStableMs: undefined,
  stallSeconds: 120,
  logLevel: 'warn',
  cpuProf: false,
  keep: false,
  help: false,
};

export const E2E_USAGE = `Usage: npm run bench -- [options]

The end-to-end benchmark: builds the four services (Nx, cached), starts them from dist/ on free ports
with a database of their own (newsflow_bench_e2e on the Postgres of DATABASE_URL, recreated each run),
a throw-away Kafka broker on free ports (data under .cache/, deleted afterwards; or KAFKA_BROKERS), a
temporary inbox folder and a webhook receiver subscribed to every article, warms the pipeline up with
--warmup-seconds of text files at --rate (not measured), then drops Reuters-21578 articles into the
inbox:

  1. steady: text files at --rate articles/s for --steady-seconds: latency p50/p95/p99 from the drop
     to ingested and enriched (events published), stored (enrichment committed in storage) and the
     webhook;
  2. full speed: --articles articles at once, as text files and NDJSON files: articles/s from the first
     drop to the last article enriched, stored and notified, and the same latencies;
  3. enrichment alone: the same articles through @newsflow/enrichment in this process, one thread:
     articles/s, and the pipeline's rate as a share of it.

Peak RSS and CPU seconds per service (Postgres's too, by the service it served), row writes per article
and table, and consumer lag are reported too, to say where the time went. Results
go to bench/results/e2e-<time>.{json,md}. Needs Java (for the broker) and Postgres.

  --articles <n>          articles at full speed (default 20000)
  --ndjson-share <0..1>   share of them in NDJSON files (default 0.5)
  --ndjson-per-file <n>   articles per NDJSON file (default 1000)
  --rate <n>              articles/s offered in the steady phase (default 100)
  --steady-seconds <n>    length of the steady phase (default 30)
  --warmup-seconds <n>    length of the warm-up before the phases, 0 for none (default 10)
  --skip-steady           no steady phase
  --skip-full             no full-speed phase (and no enrichment-alone comparison)
  --skip-build            start from dist/ as it is
  --inbox-stable-ms <n>   INBOX_STABLE_MS of ingestion (default: the service's, 200)
  --stall-seconds <n>     give up when nothing progressed for this long (default 120)
  --log-level <level>     LOG_LEVEL of the services (default warn)
  --cpu-prof              a V8 CPU profile of each service in .cache/bench/e2e/profiles/ (open it in
                          Chrome DevTools; profiling slows the services down). With the cores saturated,
                          time a thread spends descheduled in a system call (writev, postMessage) is
                          charged to that call: per-thread CPU from /proc or perf tells them apart
  --keep                  keep the database instead of dropping it
  --help                  show this text`;

export type ParsedE2eArgs = { ok: true; options: E2eBenchOptions } | { ok: false; message: string };

type PositiveOption = 'articles' | 'ndjsonPerFile' | 'rate' | 'steadySeconds' | 'stallSeconds';
const POSITIVE_FLAGS: Readonly<Record<string, PositiveOption>> = {
  '--articles': 'articles',
  '--ndjson-per-file': 'ndjsonPerFile',
  '--rate': 'rate',
  '--steady-seconds': 'steadySeconds',
  '--stall-seconds': 'stallSeconds',
};
const SWITCHES: Readonly<
  Record<string, 'skipSteady' | 'skipFull' | 'skipBuild' | 'cpuProf' | 'keep' | 'help'>
> = {
  '--skip-steady': 'skipSteady',
  '--skip-full': 'skipFull',
  '--skip-build': 'skipBuild',
  '--cpu-prof': 'cpuProf',
  '--keep': 'keep',
  '--help': 'help',
  '-h': 'help',
};

export function parseE2eArgs(argv: readonly string[]): ParsedE2eArgs {
  const options: E2eBenchOptions = { ...DEFAULT_E2E_OPTIONS };
  for (const { arg, flag, inline, value } of readFlags(argv)) {
    const positive = POSITIVE_FLAGS[flag];
    const toggle = SWITCHES[flag];
    if (positive !== undefined) {
      const parsed = integerAtLeast(value(), 1);
      if (parsed === undefined) return fail(`${flag} needs a positive integer`);
      options[positive] = parsed;
    } else if (toggle !== undefined) {
      if (inline !== undefined) return fail(`${flag} takes no value`);
      options[toggle] = true;
    } else if (flag === '--ndjson-share') {
      const raw = value();
      const share = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
      if (!(share >= 0 && share <= 1)) return fail(`${flag} needs a number from 0 to 1`);
      options.ndjsonShare = share;
    } else if (flag === '--warmup-seconds') {
      const parsed = integerAtLeast(value(), 0);
      if (parsed === undefined) return fail(`${flag} needs a whole number of seconds (0 for no warm-up)`);
      options.warmupSeconds = parsed;
    } else if (flag === '--inbox-stable-ms') {
      const parsed = integerAtLeast(value(), 1);
      if (parsed === undefined) return fail(`${flag} needs a positive integer (milliseconds)`);
      options.inboxStableMs = parsed;
    } else if (flag === '--log-level') {
      const level = value();
      if (level === undefined || !LOG_LEVELS.includes(level))
        return fail(`${flag} needs one of ${LOG_LEVELS.join(', ')}`);
      options.logLevel = level;
    } else return fail(`Unknown argument ${arg}`);
  }
  if (options.skipSteady && options.skipFull)
    return fail('--skip-steady and --skip-full leave nothing to run');
  return { ok: true, options };
}

function fail(message: string): ParsedE2eArgs {
  return { ok: false, message: `${message}\n\n${E2E_USAGE}` };
}
