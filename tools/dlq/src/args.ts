import { parseDeadLetterId } from './dead-letter-id';
import { TIME_FORMS, parseTimeSpec } from './time-spec';

/** Which dead letters a command acts on; every given criterion must match (lists within one: any). */
export interface Selection {
  stages?: readonly string[];
  codes?: readonly string[];
  /** Original topics. */
  topics?: readonly string[];
  /** Dead-lettered at or after (the dead-letter record's timestamp). */
  since?: Date;
  /** Dead-lettered before. */
  until?: Date;
  /** Dead-letter ids, normalised (`3-17`). */
  ids?: readonly string[];
}

export type DlqCommand =
  | { name: 'list'; selection: Selection; limit?: number; json: boolean }
  | { name: 'show'; id: string; full: boolean }
  | { name: 'redrive'; selection: Selection; dryRun: boolean; again: boolean }
  | { name: 'purge'; before: Date; yes: boolean };

export interface CommonOptions {
  /** Overrides DLQ_TOPIC. */
  dlqTopic?: string;
  /** Overrides DLQ_REDRIVEN_TOPIC. */
  redrivenTopic?: string;
  verbose: boolean;
}

export type ParsedDlqArgs =
  | { kind: 'run'; command: DlqCommand; common: CommonOptions }
  | { kind: 'help' }
  /** `option` is the argument at fault, also named at the start of `message`. */
  | { kind: 'error'; option: string; message: string };

export const USAGE = `Usage: npm run dlq -- <command> [options]

Inspects the dead-letter topic (news.dlq.v1) and sends dead letters back to their original topics
once the cause is fixed. A dead letter's id is <partition>-<offset> on the dead-letter topic.

Commands:
  list                     one line per dead letter, oldest first
  show <id>                one dead letter: its failure, headers and value
  redrive                  republish dead letters to their original topics (not those redriven before)
  purge --before <time>    delete the dead letters recorded before a time

Selection (list and redrive; a list of values matches any of them):
  --stage <stage,...>      failed in this stage (enrichment, storage, notification, ...)
  --code <code,...>        with this error code (VALIDATION_FAILED, ENRICHMENT_TIMEOUT, ...)
  --topic <topic,...>      read from this original topic
  --since <time>           dead-lettered at or after this time
  --until <time>           dead-lettered before this time

list:
  --limit <n>              only the n most recent of the selection
  --json                   a JSON array instead of the table
show:
  --full                   the whole value (otherwise its first 4,000 characters)
redrive:
  --id <id,...>            only these dead letters (repeatable)
  --again                  also those that were redriven before
  --dry-run                print what would be redriven; publish nothing
purge:
  --before <time>          required: delete what the topic holds from before this time
  --yes                    do not ask for confirmation
any command:
  --dlq-topic <name>       the dead-letter topic (env DLQ_TOPIC; default news.dlq.v1)
  --redriven-topic <name>  where redrives are recorded (env DLQ_REDRIVEN_TOPIC;
                           default news.dlq.redriven.v1)
  --verbose                also print kafkajs's warnings and errors
  -h, --help               show this text

Times: ${TIME_FORMS}.

A redrive republishes the original key, value and headers to the original topic, without the
dlq_* headers, with a new ce_id, ce_causationid = the original ce_id and redriven_from = the id.
Every consumer is idempotent, so a redrive is safe; a dead letter is still redriven only once
unless --again, since each redrive is recorded on the redrive log.

Environment: KAFKA_BROKERS (default 127.0.0.1:9092) and the other KAFKA_* variables of the services.

Exit codes: 0 done, 1 failure (broker unreachable, unknown id, purge not confirmed),
2 bad arguments or environment (the message names the option or variable).`;

type Flag = 'boolean' | 'value' | 'list';

const COMMON_FLAGS: Record<string, Flag> = {
  '--dlq-topic': 'value',
  '--redriven-topic': 'value',
  '--verbose': 'boolean',
};

const SELECTION_FLAGS: Record<string, Flag> = {
  '--stage': 'list',
  '--code': 'list',
  '--topic': 'list',
  '--since': 'value',
  '--until': 'value',
};

const COMMAND_FLAGS: Record<DlqCommand['name'], Record<string, Flag>> = {
  list: { ...SELECTION_FLAGS, '--limit': 'value', '--json': 'boolean' },
  show: { '--full': 'boolean' },
  redrive: { ...SELECTION_FLAGS, '--id': 'list', '--again': 'boolean', '--dry-run': 'boolean' },
  purge: { '--before': 'value', '--yes': 'boolean' },
};

const COMMANDS = Object.keys(COMMAND_FLAGS) as DlqCommand['name'][];

class ArgumentError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

interface Collected {
  values: Map<string, string | true>;
  /** `list` flags: every occurrence, split at commas. */
  lists: Map<string, string[]>;
  positional: string[];
}

/** `--name value` and `--name=value`; single-valued options at most once; list options repeatable. */
function collect(argv: readonly string[], flags: Record<string, Flag>): Collected {
  const collected: Collected = { values: new Map(), lists: new Map(), positional: [] };
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (!argument.startsWith('-')) {
      collected.positional.push(argument);
      continue;
    }
    const equals = argument.startsWith('--') ? argument.indexOf('=') : -1;
    const name = equals > 0 ? argument.slice(0, equals) : argument;
    const kind = flags[name];
    if (kind === undefined) throw new ArgumentError(name, 'unknown option for this command (see --help)');
    if (kind === 'boolean') {
      if (equals > 0) throw new ArgumentError(name, 'takes no value');
      if (collected.values.has(name)) throw new ArgumentError(name, 'given more than once');
      collected.values.set(name, true);
      continue;
    }
    let value: string | undefined;
    if (equals > 0) value = argument.slice(equals + 1);
    else {
      value = argv[index + 1];
      if (value === undefined || value.startsWith('--')) throw new ArgumentError(name, 'needs a value');
      index++;
    }
    if (value.trim() === '') throw new ArgumentError(name, 'needs a value');
    if (kind === 'list') {
      const parts = value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);
      collected.lists.set(name, [...(collected.lists.get(name) ?? []), ...parts]);
      continue;
    }
    if (collected.values.has(name)) throw new ArgumentError(name, 'given more than once');
    collected.values.set(name, value);
  }
  return collected;
}

function text(collected: Collected, option: string): string | undefined {
  const value = collected.values.get(option);
  return typeof value === 'string' ? value.trim() : undefined;
}

function time(collected: Collected, option: string, now: Date): Date | undefined {
  const value = text(collected, option);
  if (value === undefined) return undefined;
  const parsed = parseTimeSpec(value, now);
  if (!parsed.ok) throw new ArgumentError(option, parsed.reason);
  return parsed.time;
}

function positiveInteger(collected: Collected, option: string): number | undefined {
  const value = text(collected, option);
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < 1) {
    throw new ArgumentError(option, `must be a positive integer, got "${value}"`);
  }
  return number;
}

function ids(collected: Collected): string[] | undefined {
  const given = collected.lists.get('--id');
  if (given === undefined) return undefined;
  return given.map((id) => {
    const position = parseDeadLetterId(id);
    if (!position)
      throw new ArgumentError('--id', `must be a dead-letter id <partition>-<offset>, got "${id}"`);
    return `${position.partition}-${position.offset}`;
  });
}

function selection(collected: Collected, now: Date): Selection {
  const since = time(collected, '--since', now);
  const until = time(collected, '--until', now);
  if (since && until && since >= until) {
    throw new ArgumentError(
      '--since',
      `must be before --until (${since.toISOString()} >= ${until.toISOString()})`,
    );
  }
  return {
    stages: collected.lists.get('--stage'),
    codes: collected.lists.get('--code'),
    topics: collected.lists.get('--topic'),
    since,
    until,
    ids: ids(collected),
  };
}

function noPositional(collected: Collected): void {
  const [extra] = collected.positional;
  if (extra !== undefined)
    throw new ArgumentError(extra, 'unexpected argument; options start with -- (see --help)');
}

function command(name: DlqCommand['name'], collected: Collected, now: Date): DlqCommand {
  switch (name) {
    case 'list':
      noPositional(collected);
      return {
        name,
        selection: selection(collected, now),
        limit: positiveInteger(collected, '--limit'),
        json: collected.values.has('--json'),
      };
    case 'show': {
      const [id, extra] = collected.positional;
      if (id === undefined) throw new ArgumentError('<id>', 'show needs a dead-letter id, e.g. `show 3-17`');
      if (extra !== undefined) throw new ArgumentError(extra, 'show takes one id');
      const position = parseDeadLetterId(id);
      if (!position)
        throw new ArgumentError('<id>', `must be a dead-letter id <partition>-<offset>, got "${id}"`);
      return { name, id: `${position.partition}-${position.offset}`, full: collected.values.has('--full') };
    }
    case 'redrive':
      noPositional(collected);
      return {
        name,
        selection: selection(collected, now),
        dryRun: collected.values.has('--dry-run'),
        again: collected.values.has('--again'),
      };
    case 'purge': {
      noPositional(collected);
      const before = time(collected, '--before', now);
      if (!before) throw new ArgumentError('--before', `is required (${TIME_FORMS})`);
      return { name, before, yes: collected.values.has('--yes') };
    }
  }
}

function topicName(collected: Collected, option: string): string | undefined {
  const value = text(collected, option);
  if (value !== undefined && !/^[a-zA-Z0-9._-]{1,249}$/.test(value)) {
    throw new ArgumentError(option, `is not a Kafka topic name: "${value}"`);
  }
  return value;
}

export function parseDlqArgs(argv: readonly string[], now = new Date()): ParsedDlqArgs {
  try {
    if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help' };
    const [name, ...rest] = argv;
    if (name === undefined) throw new ArgumentError('<command>', `missing; one of ${COMMANDS.join(', ')}`);
    if (!(COMMANDS as string[]).includes(name)) {
      throw new ArgumentError(name, `unknown command; one of ${COMMANDS.join(', ')}`);
    }
    const commandName = name as DlqCommand['name'];
    const collected = collect(rest, { ...COMMON_FLAGS, ...COMMAND_FLAGS[commandName] });
    return {
      kind: 'run',
      command: command(commandName, collected, now),
      common: {
        dlqTopic: topicName(collected, '--dlq-topic'),
        redrivenTopic: topicName(collected, '--redriven-topic'),
        verbose: collected.values.has('--verbose'),
      },
    };
  } catch (error) {
    if (error instanceof ArgumentError)
      return { kind: 'error', option: error.option, message: error.message };
    throw error;
  }
}
