/**
 * The broker side of the benchmark: where it is (KAFKA_BROKERS, no default: a benchmark must not
 * silently pick a broker) and the topic it writes to.
 *
 * By default the events go to their own topic, `bench.articles.ingested.v1`, with a short retention,
 * so that running the benchmark never floods a real pipeline (enrichment and storage consume
 * news.articles.ingested.v1). `--topic-contract` publishes to the contract topic instead, through
 * `EventPublisher.publishMany` itself.
 */
import { connect } from 'node:net';

import { KafkaEnvSchema } from '@newsflow/config';
import { Topic } from '@newsflow/contracts';
import { type RuntimeLogger, createKafkaClient, ensureTopics } from '@newsflow/kafka';
import { type Kafka } from 'kafkajs';

export const BENCH_TOPIC = 'bench.articles.ingested.v1';
export const CLIENT_ID = 'newsflow-bench';
/** As the services' default KAFKA_TOPIC_PARTITIONS. */
export const PARTITIONS = 6;

/** Benchmark events are worthless after the run: an hour, and at most 256 MiB per partition. */
const BENCH_TOPIC_CONFIG = [
  { name: 'retention.ms', value: String(60 * 60 * 1000) },
  { name: 'retention.bytes', value: String(256 * 1024 * 1024) },
  { name: 'segment.bytes', value: String(64 * 1024 * 1024) },
];

export const NO_BROKER_HINT =
  'Start the development broker with `npm run kafka -- start` in another terminal (it listens on ' +
  '127.0.0.1:9092) and run `KAFKA_BROKERS=127.0.0.1:9092 npm run bench:ingest`, or point KAFKA_BROKERS ' +
  'at another broker. `--phases parse-text,parse-ndjson` runs the phases that need no broker.';

export type BrokersResult = { ok: true; brokers: string[] } | { ok: false; message: string };

export function brokersFromEnv(env: NodeJS.ProcessEnv): BrokersResult {
  const raw = env['KAFKA_BROKERS'];
  if (raw === undefined || raw.trim() === '') {
    return { ok: false, message: `KAFKA_BROKERS is not set. ${NO_BROKER_HINT}` };
  }
  const parsed = KafkaEnvSchema.shape.KAFKA_BROKERS.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, message: `KAFKA_BROKERS=${raw} ${parsed.error.issues[0]?.message ?? 'is invalid'}.` };
  }
  return { ok: true, brokers: parsed.data };
}

/** A quick TCP probe, so that a missing broker is reported at once rather than after kafkajs' retries. */
export async function unreachableBrokers(brokers: readonly string[], timeoutMs = 2_000): Promise<string[]> {
  const results = await Promise.all(
    brokers.map(async (broker) => ((await canConnect(broker, timeoutMs)) ? undefined : broker)),
  );
  return results.filter((broker): broker is string => broker !== undefined);
}

function canConnect(broker: string, timeoutMs: number): Promise<boolean> {
  const separator = broker.lastIndexOf(':');
  const host = broker.slice(0, separator);
  const port = Number(broker.slice(separator + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** kafkajs warnings and errors on stderr; its info lines would clutter the benchmark's output. */
export const stderrLogger: RuntimeLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (context, message) => console.warn(`kafka warn: ${message}`, context),
  error: (context, message) => console.error(`kafka error: ${message}`, context),
};

export function benchKafka(brokers: string[]): Kafka {
  return createKafkaClient({ clientId: CLIENT_ID, brokers, logger: stderrLogger });
}

/** Creates the topic the run publishes to when it is missing, and waits until it has leaders. */
export async function prepareTopic(kafka: Kafka, topic: string): Promise<void> {
  if (topic === BENCH_TOPIC) await createBenchTopic(kafka);
  await ensureTopics(kafka, {
    topics: [topic],
    partitions: PARTITIONS,
    replicationFactor: 1,
    logger: stderrLogger,
  });
}

/** `ensureTopics` takes no topic config; the retention limits are set here when the topic is new. */
async function createBenchTopic(kafka: Kafka): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(BENCH_TOPIC)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: BENCH_TOPIC,
          numPartitions: PARTITIONS,
          replicationFactor: 1,
          configEntries: BENCH_TOPIC_CONFIG,
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}

export function topicFor(contractTopic: boolean): string {
  return contractTopic ? Topic.ArticleIngestedV1 : BENCH_TOPIC;
}
