/** The pieces of argument parsing the benchmarks' CLIs share; each CLI keeps its own flags and messages. */

/** One argument as written: `--flag value` or `--flag=value` (the value is read only when asked for). */
export interface FlagArgument {
  /** The argument as given, for "unknown argument" messages. */
  arg: string;
  flag: string;
  /** The part after `=`, when the argument had one. */
  inline: string | undefined;
  /** The flag's value: the inline part, else the next argument (which is then consumed). */
  value(): string | undefined;
}

export function* readFlags(argv: readonly string[]): Generator<FlagArgument> {
  let index = 0;
  while (index < argv.length) {
    const arg = argv[index++] as string;
    const equals = arg.indexOf('=');
    const [flag, inline] =
      arg.startsWith('--') && equals > 0 ? [arg.slice(0, equals), arg.slice(equals + 1)] : [arg, undefined];
    yield { arg, flag, inline, value: () => inline ?? argv[index++] };
  }
}

/** A whole number of at least `minimum`, or undefined for anything else (empty, fractional, not a number). */
export function integerAtLeast(raw: string | undefined, minimum: number): number | undefined {
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isInteger(value) && value >= minimum ? value : undefined;
}

/** pino's levels, for the services' LOG_LEVEL. */
export const LOG_LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
