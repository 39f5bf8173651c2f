import { z } from 'zod';

import { ConfigError, type Environment, KafkaEnvSchema, loadConfig } from '@newsflow/config';
import { Topic } from '@newsflow/contracts';
import {
  EventPublisher,
  type RuntimeLogger,
  createKafkaClient,
  kafkaConnectionFromEnv,
} from '@newsflow/kafka';

import { type CommonOptions, type DlqCommand, USAGE, parseDlqArgs } from './args';
import { listCommand } from './commands/list';
import { purgeCommand } from './commands/purge';
import { redriveCommand } from './commands/redrive';
import { showCommand } from './commands/show';
import { type DlqContext, type DlqOutput } from './context';
import { anyBrokerListening, isBrokerUnreachable } from './kafka-errors';
import { DEFAULT_REDRIVEN_TOPIC } from './redrive-log';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'must be a Kafka topic name');

/** The services' Kafka variables, plus the two topics this tool works on (tests point them elsewhere). */
const DlqEnvSchema = KafkaEnvSchema.extend({
  DLQ_TOPIC: topicName.default(Topic.DeadLetterV1),
  DLQ_REDRIVEN_TOPIC: topicName.default(DEFAULT_REDRIVEN_TOPIC),
});
type DlqEnv = z.infer<typeof DlqEnvSchema>;

/** The kafkajs client id, which brokers log and quotas key on. */
const CLIENT_ID = 'newsflow-dlq';
/**
 * The publisher's CloudEvents source. Only raw messages go out, so it is never sent: redriven events
 * keep the original `ce_source`, for consumers to treat them exactly as the original.
 */
const EVENT_SOURCE = '/newsflow/tools/dlq';

export interface RunDlqInput extends DlqOutput {
  argv: readonly string[];
  env?: Environment;
  now?: () => Date;
}

/** kafkajs's own warnings and errors: noise next to the tool's message, unless --verbose. */
function kafkaLogger(err: (line: string) => void, verbose: boolean): RuntimeLogger {
  const line = (level: string) => (context: object, message: string) =>
    verbose ? err(`kafka ${level}: ${message} ${JSON.stringify(context)}`) : undefined;
  return { debug: () => undefined, info: () => undefined, warn: line('warning'), error: line('error') };
}

/** Runs one `npm run dlq` command; resolves to the exit code (see USAGE). */
export async function runDlq(input: RunDlqInput): Promise<number> {
  const parsed = parseDlqArgs(input.argv, input.now?.() ?? new Date());
  switch (parsed.kind) {
    case 'help':
      input.out(USAGE);
      return EXIT.ok;
    case 'error':
      input.err(`dlq: ${parsed.message}`);
      input.err('Run `npm run dlq -- --help` for the commands and options.');
      return EXIT.usage;
    case 'run':
      break;
  }
  let env: DlqEnv;
  try {
    env = loadConfig(DlqEnvSchema, input.env ?? process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    input.err(`dlq: ${error.message}`);
    return EXIT.usage;
  }
  const unreachable = () =>
    input.err(
      `dlq: cannot reach Kafka at ${env.KAFKA_BROKERS.join(',')}: start a broker with \`npm run kafka -- start\` ` +
        'or set KAFKA_BROKERS.',
    );
  if (!(await anyBrokerListening(env.KAFKA_BROKERS))) {
    unreachable();
    return EXIT.failure;
  }
  try {
    return await withKafka(input, env, parsed.common, (ctx) => dispatch(ctx, parsed.command));
  } catch (error) {
    if (isBrokerUnreachable(error)) unreachable();
    else {
      input.err(`dlq: ${error instanceof Error ? error.message : String(error)}`);
    }
    return EXIT.failure;
  }
}

function dispatch(ctx: DlqContext, command: DlqCommand): Promise<number> {
  switch (command.name) {
    case 'list':
      return listCommand(ctx, command);
    case 'show':
      return showCommand(ctx, command);
    case 'redrive':
      return redriveCommand(ctx, command);
    case 'purge':
      return purgeCommand(ctx, command);
  }
}

async function withKafka(
  input: RunDlqInput,
  env: DlqEnv,
  common: CommonOptions,
  run: (ctx: DlqContext) => Promise<number>,
): Promise<number> {
  const kafka = createKafkaClient({
    clientId: env.KAFKA_CLIENT_ID ?? CLIENT_ID,
    brokers: env.KAFKA_BROKERS,
    connection: kafkaConnectionFromEnv(env),
    logger: kafkaLogger(input.err, common.verbose),
  });
  const admin = kafka.admin();
  await admin.connect();
  let publisher: EventPublisher | undefined;
  try {
    return await run({
      kafka,
      admin,
      dlqTopic: common.dlqTopic ?? env.DLQ_TOPIC,
      redrivenTopic: common.redrivenTopic ?? env.DLQ_REDRIVEN_TOPIC,
      replicationFactor: env.KAFKA_REPLICATION_FACTOR,
      createTopics: env.KAFKA_CREATE_TOPICS,
      out: input.out,
      err: input.err,
      confirm: input.confirm,
      now: input.now ?? (() => new Date()),
      publisher: async () => {
        if (!publisher) {
          publisher = new EventPublisher(kafka, EVENT_SOURCE);
          await publisher.connect();
        }
        return publisher;
      },
    });
  } finally {
    await publisher?.disconnect();
    await admin.disconnect();
  }
}
