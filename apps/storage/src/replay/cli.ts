/**
 * `npm run replay -- --from <date> --to <date> [options]`: republishes stored articles to Kafka, as
 * enriched events for consumers that joined later or, with --reenrich, as ingested events for
 * enrichment to redo. See USAGE in replay-options.ts (`--help`) and the README's "Replay" section.
 */
import { Client } from 'pg';
import { type z } from 'zod';

import { ConfigError, DatabaseEnvSchema, KafkaEnvSchema, loadConfig } from '@newsflow/config';
import { CURRENT_ENRICHMENT_VERSION, Topic } from '@newsflow/contracts';
import { postgresSslFromEnv } from '@newsflow/database';
import {
  EventPublisher,
  type RuntimeLogger,
  createKafkaClient,
  ensureTopics,
  kafkaConnectionFromEnv,
} from '@newsflow/kafka';

import { ProgressReporter, formatCount, formatElapsed } from './progress';
import { type ReplayOptions, USAGE, parseReplayArgs } from './replay-options';
import { type ReplayResult, runReplay } from './replay-runner';
import { type ReplayCount, type ReplaySelection, StoredArticleReader } from './stored-article-reader';

/** The services' own variables and defaults, so the replay finds the same Postgres and brokers. */
const ReplayEnvSchema = KafkaEnvSchema.extend(DatabaseEnvSchema.shape);
type ReplayEnv = z.infer<typeof ReplayEnvSchema>;

/** CloudEvents `ce_source` of replayed events, so consumers and operators can tell them apart. */
const REPLAY_EVENT_SOURCE = '/newsflow/storage/replay';

const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

const out = (line = '') => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function selectionOf(options: ReplayOptions): Promise<ReplaySelection> {
  const filter = {
    from: options.from,
    to: options.to,
    sourcePrefix: options.source,
    publisher: options.publisher,
  };
  if (!options.reenrich) return { topic: Topic.ArticleEnrichedV1, filter, limit: options.limit };
  return {
    topic: Topic.ArticleIngestedV1,
    filter,
    limit: options.limit,
    enrichedBefore: options.all ? undefined : (options.enrichmentVersion ?? CURRENT_ENRICHMENT_VERSION),
  };
}

function selectionLines(selection: ReplaySelection, count: ReplayCount): string[] {
  const { filter } = selection;
  const narrowed = [
    filter.sourcePrefix === undefined ? undefined : `source ${filter.sourcePrefix}*`,
    filter.publisher === undefined ? undefined : `publisher ${filter.publisher}`,
  ].filter((part) => part !== undefined);
  const which =
    selection.topic === Topic.ArticleEnrichedV1
      ? 'enriched'
      : selection.enrichedBefore === undefined
        ? 'all'
        : `enriched before version ${selection.enrichedBefore} or never enriched`;
  const lines = [
    `${formatCount(count.selected)} of ${formatCount(count.matching)} articles published ${filter.from} to ` +
      `${filter.to}${narrowed.length > 0 ? ` (${narrowed.join(', ')})` : ''}: ${which}` +
      `${selection.limit === undefined ? '' : `, at most ${formatCount(selection.limit)}`} → ${selection.topic}`,
  ];
  if (selection.topic === Topic.ArticleEnrichedV1 && count.notEnriched > 0) {
    lines.push(
      `${formatCount(count.notEnriched)} of them have no enrichment yet and are left out (--reenrich sends them to enrichment)`,
    );
  }
  return lines;
}

function summary(topic: string, result: ReplayResult, selected: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (result.published * 1000) / elapsedMs : 0;
  const counts =
    `published ${formatCount(result.published)} of ${formatCount(selected)} to ${topic}, ` +
    `skipped ${formatCount(result.skipped)}, in ${formatElapsed(elapsedMs)} (${formatCount(rate)}/s)`;
  return result.interrupted
    ? `Interrupted: ${counts}. Run the same command again to finish: consumers ignore what they already have.`
    : `Done: ${counts}.`;
}

/** kafkajs's warnings and errors, on lines of their own above the progress bar. */
function kafkaLogger(note: (line: string) => void): RuntimeLogger {
  const line = (level: string) => (context: object, message: string) =>
    note(`kafka ${level}: ${message} ${JSON.stringify(context)}`);
  return { debug: () => undefined, info: () => undefined, warn: line('warning'), error: line('error') };
}

async function replay(options: ReplayOptions, config: ReplayEnv): Promise<number> {
  const selection = await selectionOf(options);
  const db = new Client({
    connectionString: config.DATABASE_URL,
    application_name: 'newsflow-storage-replay',
    ssl: postgresSslFromEnv(config),
  });
  await db.connect();
  let publisher: EventPublisher | undefined;
  try {
    const reader = new StoredArticleReader(
      { query: async (sql, parameters) => (await db.query(sql, parameters)).rows as unknown[] },
      options.batchSize,
    );
    const count = await reader.count(selection);
    selectionLines(selection, count).forEach((line) => out(line));
    if (options.dryRun) {
      out(`Dry run: nothing published.`);
      return EXIT.ok;
    }
    if (count.selected === 0) return EXIT.ok;

    // Lines go above the progress bar once there is one.
    const output: { note: (line: string) => void } = { note: err };
    const note = (line: string) => output.note(line);
    const kafka = createKafkaClient({
      clientId: config.KAFKA_CLIENT_ID ?? 'newsflow-storage-replay',
      brokers: config.KAFKA_BROKERS,
      connection: kafkaConnectionFromEnv(config),
      logger: kafkaLogger(note),
    });
    if (config.KAFKA_CREATE_TOPICS) {
      await ensureTopics(kafka, {
        topics: [selection.topic],
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
        logger: kafkaLogger(note),
      });
    }
    publisher = new EventPublisher(kafka, REPLAY_EVENT_SOURCE);
    await publisher.connect();

    const progress = new ProgressReporter({ stream: process.stderr, total: count.selected });
    output.note = (line) => progress.note(line);
    let stopRequested = false;
    const stop = () => {
      if (stopRequested) process.exit(EXIT.interrupted);
      stopRequested = true;
      note('Stopping after the request in flight (again to quit at once)...');
    };
    process.on('SIGINT', stop).on('SIGTERM', stop);
    try {
      const result = await runReplay({
        reader,
        publisher,
        selection,
        progress,
        stopRequested: () => stopRequested,
      });
      progress.finish();
      out(summary(selection.topic, result, count.selected, progress.snapshot.elapsedMs));
      return result.interrupted ? EXIT.interrupted : EXIT.ok;
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
    }
  } finally {
    await publisher?.disconnect();
    await db.end();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseReplayArgs(argv);
  switch (parsed.kind) {
    case 'help':
      out(USAGE);
      return EXIT.ok;
    case 'error':
      err(`replay: ${parsed.message}`);
      err('Run `npm run replay -- --help` for the options.');
      return EXIT.usage;
    case 'run':
      break;
  }
  let config;
  try {
    config = loadConfig(ReplayEnvSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    err(`replay: ${error.message}`);
    return EXIT.usage;
  }
  return replay(parsed.options, config);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(`replay failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = EXIT.failure;
  },
);
