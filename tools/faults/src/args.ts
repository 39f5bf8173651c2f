/** Command-line options of `npm run test:faults`. */
export const SCENARIO_NUMBERS = [1, 2, 3, 4, 5, 6] as const;
export type ScenarioNumber = (typeof SCENARIO_NUMBERS)[number];

export interface FaultsOptions {
  scenarios: ScenarioNumber[];
  /** Valid articles per scenario. */
  articles: number;
  /** Malformed files in scenario 6. */
  fuzzFiles: number;
  /** How long the webhook receiver stays down in scenario 5. */
  receiverDownSeconds: number;
}

export type ParsedArgs =
  { kind: 'run'; options: FaultsOptions } | { kind: 'help' } | { kind: 'error'; message: string };

export const USAGE = `Usage: npm run test:faults -- [--scenario <n>[,<n>...]] [--articles <n>] [--fuzz-files <n>]
                               [--receiver-down-seconds <n>]

Drives real Reuters articles through the four built services on a throw-away Kafka broker and
database, injects one fault per scenario and checks Postgres and a webhook receiver afterwards.

  --scenario <n>             run only these scenarios (1-6; repeatable), default all
  --articles <n>             valid articles per scenario (default 2000)
  --fuzz-files <n>           malformed files in scenario 6 (default 10000)
  --receiver-down-seconds <n> scenario 5's outage (default 60)
  -h, --help                 this text

Exit code 0 when nothing was lost or duplicated, 1 otherwise, 2 for bad arguments.`;

export const DEFAULT_OPTIONS: FaultsOptions = {
  scenarios: [...SCENARIO_NUMBERS],
  articles: 2000,
  fuzzFiles: 10_000,
  receiverDownSeconds: 60,
};

function positiveInt(option: string, value: string | undefined): number | string {
  if (value === undefined || !/^\d+$/.test(value) || Number(value) < 1) {
    return `${option} needs a positive whole number, got ${value === undefined ? 'nothing' : `"${value}"`}`;
  }
  return Number(value);
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const options: FaultsOptions = { ...DEFAULT_OPTIONS, scenarios: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    const value = argv[i + 1];
    if (arg === '--scenario') {
      i++;
      for (const part of (value ?? '').split(',')) {
        const n = Number(part);
        if (!(SCENARIO_NUMBERS as readonly number[]).includes(n)) {
          return { kind: 'error', message: `--scenario takes 1 to 6, got "${part}"` };
        }
        if (!options.scenarios.includes(n as ScenarioNumber)) options.scenarios.push(n as ScenarioNumber);
      }
    } else if (arg === '--articles' || arg === '--fuzz-files' || arg === '--receiver-down-seconds') {
      i++;
      const parsed = positiveInt(arg, value);
      if (typeof parsed === 'string') return { kind: 'error', message: parsed };
      if (arg === '--articles') options.articles = parsed;
      else if (arg === '--fuzz-files') options.fuzzFiles = parsed;
      else options.receiverDownSeconds = parsed;
    } else {
      return { kind: 'error', message: `unknown option ${arg}` };
    }
  }
  if (options.scenarios.length === 0) options.scenarios = [...SCENARIO_NUMBERS];
  options.scenarios.sort((a, b) => a - b);
  return { kind: 'run', options };
}
