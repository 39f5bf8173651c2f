import { isCalendarDate } from '../app/common/calendar-date';

export interface ReplayOptions {
  /** Publication dates, YYYY-MM-DD, both inclusive. */
  from: string;
  to: string;
  source?: string;
  publisher?: string;
  limit?: number;
  dryRun: boolean;
  /** Publish ingested events for enrichment to redo, rather than enriched events. */
  reenrich: boolean;
  /** With reenrich: every matching article, not only those enriched by an older version. */
  all: boolean;
  /** With reenrich: the version to compare with, instead of the current one. */
  enrichmentVersion?: number;
  /** Articles per database page and per Kafka request (requests are also kept under a size). */
  batchSize: number;
}

export type ParsedReplayArgs =
  | { kind: 'run'; options: ReplayOptions }
  | { kind: 'help' }
  /** `option` is the argument at fault, also named at the start of `message`. */
  | { kind: 'error'; option: string; message: string };

export const DEFAULT_BATCH_SIZE = 500;
const MAX_BATCH_SIZE = 10_000;

export const USAGE = `Usage: npm run replay -- --from <YYYY-MM-DD> --to <YYYY-MM-DD> [options]

Republishes stored articles from Postgres (schema storage) to Kafka. Safe to repeat: every consumer
is idempotent, so a replay changes nothing that is already up to date.

Without --reenrich, articles that have an enrichment are published as news.articles.enriched.v1
events, { article, enrichment } with the article as it was ingested and the enrichment as stored:
for consumers that joined later (a new service, notification after new subscriptions). Storage
writes no row for them; notification delivers at most once per subscription and article.

With --reenrich, articles are published as news.articles.ingested.v1 events so that enrichment
redoes them: by default only those whose stored enrichment version is older than the current
enrichment version (CURRENT_ENRICHMENT_VERSION of the contracts), or that were never enriched. Storage keeps the newer
result and ignores the ingested events themselves.

Options:
  --from <date>              first publication date to replay (required, inclusive)
  --to <date>                last publication date to replay (required, inclusive)
  --source <prefix>          only articles whose source bucket/key starts with this,
                             e.g. local/reuters/ (local is the inbox), as the API's source
  --publisher <name>         only this publisher (exact, case-insensitive)
  --limit <n>                at most n articles, the oldest first
  --reenrich                 publish ingested events for enrichment to redo
  --all                      with --reenrich: every matching article, whatever its version
  --enrichment-version <n>   with --reenrich: compare with version n instead of the current one
  --batch-size <n>           articles per database page and Kafka request (default ${DEFAULT_BATCH_SIZE})
  --dry-run                  count what would be published; publish nothing
  -h, --help                 show this text

Articles go out oldest first, keyed by article id, with CloudEvents headers (ce_source
/newsflow/storage/replay); the broker acknowledges every request from all in-sync replicas.
An article that fails its topic's schema is reported, counted as skipped and not published.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/newsflow), KAFKA_BROKERS
(default 127.0.0.1:9092) and the other KAFKA_* variables of the services.

Exit codes: 0 done (also with skipped articles), 1 failure, 2 bad arguments or environment,
130 interrupted (Ctrl-C stops after the request in flight; run again to finish).`;

type Flag = 'boolean' | 'value';

const FLAGS: Record<string, Flag> = {
  '--from': 'value',
  '--to': 'value',
  '--source': 'value',
  '--publisher': 'value',
  '--limit': 'value',
  '--enrichment-version': 'value',
  '--batch-size': 'value',
  '--reenrich': 'boolean',
  '--all': 'boolean',
  '--dry-run': 'boolean',
  '--help': 'boolean',
  '-h': 'boolean',
};

class ArgumentError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/** `--name value` and `--name=value`; every option at most once; no positional arguments. */
function collect(argv: readonly string[]): Map<string, string | true> {
  const given = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    const equals = argument.startsWith('--') ? argument.indexOf('=') : -1;
    const name = equals > 0 ? argument.slice(0, equals) : argument;
    const kind = FLAGS[name];
    if (kind === undefined) {
      throw name.startsWith('-')
        ? new ArgumentError(name, 'unknown option (see --help)')
        : new ArgumentError(name, 'unexpected argument; options start with -- (see --help)');
    }
    if (given.has(name)) throw new ArgumentError(name, 'given more than once');
    if (kind === 'boolean') {
      if (equals > 0) throw new ArgumentError(name, 'takes no value');
      given.set(name, true);
      continue;
    }
    const value = equals > 0 ? argument.slice(equals + 1) : argv[++index];
    if (value === undefined || value === '' || (equals < 0 && FLAGS[value] !== undefined)) {
      throw new ArgumentError(name, 'needs a value');
    }
    given.set(name, value);
  }
  return given;
}

function date(given: Map<string, string | true>, option: '--from' | '--to'): string {
  const value = given.get(option);
  if (value === undefined) throw new ArgumentError(option, 'is required (a publication date, YYYY-MM-DD)');
  if (typeof value !== 'string' || !isCalendarDate(value)) {
    throw new ArgumentError(option, `must be a date YYYY-MM-DD, got "${String(value)}"`);
  }
  return value;
}

function positiveInteger(
  given: Map<string, string | true>,
  option: string,
  max?: number,
): number | undefined {
  const value = given.get(option);
  if (value === undefined) return undefined;
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 1 || (max !== undefined && number > max)) {
    const range = max === undefined ? 'a positive integer' : `an integer from 1 to ${max}`;
    throw new ArgumentError(option, `must be ${range}, got "${String(value)}"`);
  }
  return number;
}

function text(given: Map<string, string | true>, option: string): string | undefined {
  const value = given.get(option);
  return typeof value === 'string' ? value : undefined;
}

export function parseReplayArgs(argv: readonly string[]): ParsedReplayArgs {
  try {
    const given = collect(argv);
    if (given.has('--help') || given.has('-h')) return { kind: 'help' };
    const from = date(given, '--from');
    const to = date(given, '--to');
    if (from > to) throw new ArgumentError('--from', `must not be after --to (${from} > ${to})`);
    const reenrich = given.has('--reenrich');
    for (const option of ['--all', '--enrichment-version']) {
      if (given.has(option) && !reenrich) throw new ArgumentError(option, 'only goes with --reenrich');
    }
    if (given.has('--all') && given.has('--enrichment-version')) {
      throw new ArgumentError('--enrichment-version', 'cannot go with --all, which ignores versions');
    }
    return {
      kind: 'run',
      options: {
        from,
        to,
        source: text(given, '--source'),
        publisher: text(given, '--publisher'),
        limit: positiveInteger(given, '--limit'),
        dryRun: given.has('--dry-run'),
        reenrich,
        all: given.has('--all'),
        enrichmentVersion: positiveInteger(given, '--enrichment-version'),
        batchSize: positiveInteger(given, '--batch-size', MAX_BATCH_SIZE) ?? DEFAULT_BATCH_SIZE,
      },
    };
  } catch (error) {
    if (error instanceof ArgumentError)
      return { kind: 'error', option: error.option, message: error.message };
    throw error;
  }
}
