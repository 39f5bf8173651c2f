/**
 * The batch handler behind the real consumer runtime (ConsumerRunner in batch mode, KAFKA_BROKERS) and a
 * real Postgres (DATABASE_URL; the suite creates `<database>_enrichment_handler_<random>`, dropped in
 * afterAll). Each test reads its own one-partition copy of news.articles.ingested.v1 and dead-letters to
 * the suite's own topic; the enriched events are recorded instead of published, so the shared topics
 * are left alone. The analyser is the enrichment library run in process, with one article made to time
 * out as a worker would.
 */
import { createHash, randomBytes } from 'node:crypto';

import { type Kafka } from 'kafkajs';
import pino from 'pino';
import { type DataSource } from 'typeorm';

import {
  type ArticleIngestedV1,
  DeadLetterHeader,
  type EventMetadata,
  Topic,
  contractOf,
  newEventMetadata,
  toHeaders,
} from '@newsflow/contracts';
import { ensureDatabaseExists, openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';
import { scratchDatabase } from '@newsflow/database/testing';
import { EnrichmentTimeoutError, analyseArticle, hammingDistance } from '@newsflow/enrichment';
import {
  type ConsumedBatch,
  type ConsumedEvent,
  ConsumerRunner,
  EventPublisher,
  type PublishRequest,
  createKafkaClient,
  ensureTopics,
  silentLogger,
} from '@newsflow/kafka';
import { KafkaBatchContext } from '@newsflow/nest-kafka';
import { MetricsService } from '@newsflow/observability';

import { type ArticleAnalyser, asPipelineError } from './analysis/article-analyser';
import { ArticleEnrichmentHandler } from './article-enrichment.handler';
import { ENRICHMENT_SCHEMA } from './enrichment.config';
import { KeyphraseFrequencyStore } from './keyphrases/keyphrase-frequency.store';
import { ENRICHMENT_MIGRATIONS } from './migrations';
import { NearDuplicateIndex } from './stories/near-duplicate.index';

const TEST_TIMEOUT_MS = 60_000;
const { name: DATABASE, urlFor, admin } = scratchDatabase('enrichment_handler');

const uniqueId = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;

const RATES =
  'The central bank raised interest rates by half a percentage point on Tuesday, its third increase this ' +
  'year, as inflation stayed well above its target. Officials said further increases were likely if prices ' +
  'kept rising, while several economists warned that higher borrowing costs could slow the housing market ' +
  'and hurt small businesses already struggling with energy bills.';
const HARVEST =
  'Farmers across the northern plains expect a record wheat harvest after a wet spring and a mild summer, ' +
  'the agriculture ministry said in its monthly outlook. Grain traders cut their price forecasts, and ' +
  'exporters are booking extra rail capacity to move the crop to the ports before the autumn storms.';
const ELECTION =
  'Voters in the coastal province will choose a new governor next month after the incumbent resigned over ' +
  'a procurement scandal. Opinion polls show the two main candidates level, with turnout in the cities ' +
  'likely to decide a race that has centred on hospital waiting times and the cost of public transport.';

function article(text: string): ArticleIngestedV1 {
  const contentHash = createHash('sha256').update(randomBytes(32)).digest('hex');
  const now = new Date().toISOString();
  return {
    id: contentHash.slice(0, 32),
    contentHash,
    publishedAt: '2022-02-22',
    lede: 'A lede for an integration test',
    paragraphs: [text],
    text,
    wordCount: text.split(/\s+/).length,
    source: { bucket: 'local', key: `tests/${contentHash.slice(0, 8)}.txt`, sizeBytes: text.length },
    parserVersion: 'test-1',
    firstSeenAt: now,
    ingestedAt: now,
  };
}

type EnrichedRequest = Omit<PublishRequest<typeof Topic.ArticleEnrichedV1>, 'topic'>;

/** Records each publishMany call of the handler instead of sending it. */
class RecordingPublisher {
  readonly calls: EnrichedRequest[][] = [];

  async publishMany(topic: Topic, requests: readonly EnrichedRequest[]): Promise<EventMetadata[]> {
    expect(topic).toBe(Topic.ArticleEnrichedV1);
    this.calls.push([...requests]);
    return requests.map(() =>
      newEventMetadata({ type: contractOf(Topic.ArticleEnrichedV1).eventType, source: '/int-spec' }),
    );
  }

  get published(): EnrichedRequest[] {
    return this.calls.flat();
  }
}

/** The library in process, as a worker runs it; the article ids in `poisoned` time out. */
class InProcessAnalyser {
  readonly poisoned = new Set<string>();
  readonly analysed: string[] = [];

  async analyse(input: ArticleIngestedV1) {
    this.analysed.push(input.id);
    if (this.poisoned.has(input.id)) throw asPipelineError(new EnrichmentTimeoutError(10));
    return analyseArticle(input, { publishedAt: input.publishedAt });
  }
}

let dataSource: DataSource;
let kafka: Kafka;
let deadLetters: EventPublisher;
const deadLetterTopic = uniqueId('test.enrichment.dlq');
const topics: string[] = [deadLetterTopic];
const runners: ConsumerRunner[] = [];

beforeAll(async () => {
  const url = urlFor(DATABASE);
  await ensureDatabaseExists(url);
  dataSource = await openServiceDatabase(
    serviceDataSourceOptions({
      url,
      schema: ENRICHMENT_SCHEMA,
      entities: [],
      migrations: ENRICHMENT_MIGRATIONS,
      poolSize: 5,
      applicationName: 'newsflow-enrichment-handler-int-spec',
    }),
    ENRICHMENT_SCHEMA,
  );
  const brokers = (process.env['KAFKA_BROKERS'] ?? '').split(',').filter(Boolean);
  if (brokers.length === 0) throw new Error('KAFKA_BROKERS is required for the integration specs');
  kafka = createKafkaClient({ clientId: uniqueId('enrichment-handler-int'), brokers, logger: silentLogger });
  await ensureTopics(kafka, {
    topics: [deadLetterTopic],
    partitions: 1,
    replicationFactor: 1,
    logger: silentLogger,
  });
  deadLetters = new EventPublisher(kafka, '/newsflow/enrichment-handler-int-spec');
  await deadLetters.connect();
}, TEST_TIMEOUT_MS);

afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
}, TEST_TIMEOUT_MS);

afterAll(async () => {
  await deadLetters?.disconnect();
  if (kafka) {
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    try {
      await kafkaAdmin.deleteTopics({ topics });
    } finally {
      await kafkaAdmin.disconnect();
    }
  }
  await dataSource?.destroy();
  await admin(`DROP DATABASE IF EXISTS "${DATABASE}" WITH (FORCE)`);
}, TEST_TIMEOUT_MS);

beforeEach(async () => {
  await dataSource.query(
    'TRUNCATE enrichment.fingerprints, enrichment.keyphrase_frequencies; UPDATE enrichment.keyphrase_corpus SET documents = 0',
  );
});

interface Harness {
  handler: ArticleEnrichmentHandler;
  analyser: InProcessAnalyser;
  publisher: RecordingPublisher;
  keyphrases: KeyphraseFrequencyStore;
  /** The size of every call of the handler, in order. */
  calls: number[];
}

function harness(): Harness {
  const analyser = new InProcessAnalyser();
  const publisher = new RecordingPublisher();
  const keyphrases = new KeyphraseFrequencyStore(dataSource, { capacity: 10_000 });
  const handler = new ArticleEnrichmentHandler(
    analyser as unknown as ArticleAnalyser,
    new NearDuplicateIndex(dataSource, { windowDays: 3, maxDistance: 7 }),
    keyphrases,
    publisher as unknown as EventPublisher,
    new MetricsService(),
    pino({ level: 'silent' }),
  );
  return { handler, analyser, publisher, keyphrases, calls: [] };
}

/** A fresh one-partition topic standing in for news.articles.ingested.v1, holding the articles in order. */
async function topicWith(
  articles: readonly ArticleIngestedV1[],
): Promise<{ topic: string; causes: EventMetadata[] }> {
  const topic = uniqueId('test.enrichment.ingested');
  topics.push(topic);
  await ensureTopics(kafka, { topics: [topic], partitions: 1, replicationFactor: 1, logger: silentLogger });
  const causes = articles.map(() =>
    newEventMetadata({ type: contractOf(Topic.ArticleIngestedV1).eventType, source: '/int-spec' }),
  );
  // One request: the first fetch then holds the whole chunk.
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      messages: articles.map((value, index) => ({
        key: value.id,
        value: JSON.stringify(value),
        headers: toHeaders(causes[index] as EventMetadata),
      })),
    });
  } finally {
    await producer.disconnect();
  }
  return { topic, causes };
}

/** Runs the handler behind the runtime on `topic` until the group committed past its last message. */
async function consume(h: Harness, topic: string, count: number): Promise<void> {
  let seen = 0;
  let committed!: () => void;
  const allCommitted = new Promise<void>((resolve) => (committed = resolve));
  const runner = new ConsumerRunner({
    kafka,
    groupId: uniqueId('enrichment-int'),
    stage: 'enrichment',
    topics: [Topic.ArticleIngestedV1],
    topicNames: { [Topic.ArticleIngestedV1]: topic },
    deadLetterTopic,
    dispatch: async () => {
      throw new Error('the ingested topic is consumed in batches');
    },
    batch: {
      topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: 100 }],
      dispatch: async (batch: ConsumedBatch) => {
        h.calls.push(batch.events.length);
        const events = batch.events as ConsumedEvent<typeof Topic.ArticleIngestedV1>[];
        await h.handler.onArticlesIngested(events, new KafkaBatchContext(batch));
      },
    },
    publisher: deadLetters,
    logger: silentLogger,
    retryPolicy: { maxAttempts: 2, initialBackoffMs: 20, maxBackoffMs: 50 },
    observer: {
      onOutcome: () => undefined,
      onBatch: ({ size }) => {
        seen += size;
        if (seen >= count) committed();
      },
    },
  });
  runners.push(runner);
  await runner.start();
  await allCommitted;
}

/** The dead letters of the suite's topic whose key is one of `keys`, with their error codes. */
async function deadLettersFor(keys: readonly string[]): Promise<{ key: string; code: string | undefined }[]> {
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  const [end] = await kafkaAdmin.fetchTopicOffsets(deadLetterTopic).finally(() => kafkaAdmin.disconnect());
  if (!end || end.high === '0') return [];
  const consumer = kafka.consumer({ groupId: uniqueId('dlq-reader'), maxWaitTimeInMs: 200 });
  const found: { key: string; code: string | undefined }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [deadLetterTopic], fromBeginning: true });
    let done!: () => void;
    const reachedEnd = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ message }) => {
        const key = message.key?.toString() ?? '';
        if (keys.includes(key))
          found.push({ key, code: message.headers?.[DeadLetterHeader.ErrorCode]?.toString() });
        if (BigInt(message.offset) + 1n >= BigInt(end.high)) done();
      },
    });
    await reachedEnd;
  } finally {
    await consumer.disconnect();
  }
  return found;
}

describe('ArticleEnrichmentHandler, a chunk at a time', () => {
  it(
    'enriches a chunk in one publish, a near-duplicate of an earlier article of the chunk in order, and counts a replay once',
    async () => {
      const first = article(RATES);
      const nearCopy = article(RATES.replace('Tuesday', 'Wednesday'));
      const other = article(HARVEST);
      const { topic, causes } = await topicWith([first, nearCopy, other]);
      const h = harness();

      await consume(h, topic, 3);

      expect(h.calls).toEqual([3]);
      expect(h.publisher.calls).toHaveLength(1);
      const published = h.publisher.published;
      expect(published.map((request) => request.key)).toEqual([first.id, nearCopy.id, other.id]);
      // Each enriched event follows from its own ingested event (its trace and correlation).
      expect(published.map((request) => request.cause?.id)).toEqual(causes.map((cause) => cause.id));
      const [a, b, c] = published.map((request) => request.payload.enrichment);
      expect(a?.nearDuplicate).toBeUndefined();
      expect(b?.nearDuplicate).toEqual({
        of: first.id,
        distance: hammingDistance(a?.simhash ?? '', b?.simhash ?? ''),
        storyId: first.id,
      });
      expect(c?.nearDuplicate).toBeUndefined();
      expect(h.keyphrases.frequencies.documents).toBe(3);

      // The same chunk read again (a replay from the start): same answers, nothing counted twice.
      const replay = harness();
      await consume(replay, topic, 3);
      expect(replay.publisher.published.map((request) => request.payload.enrichment.nearDuplicate)).toEqual([
        undefined,
        b?.nearDuplicate,
        undefined,
      ]);
      expect(replay.keyphrases.frequencies.documents).toBe(0);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'dead-letters a poison article of a chunk alone, with its code, and publishes the others, analysing each once',
    async () => {
      const first = article(RATES);
      const nearCopy = article(RATES.replace('Tuesday', 'Wednesday'));
      const poison = article(ELECTION);
      const other = article(HARVEST);
      const { topic } = await topicWith([first, nearCopy, poison, other]);
      const h = harness();
      h.analyser.poisoned.add(poison.id);

      await consume(h, topic, 4);

      // The chunk failed for good, then went one article per call.
      expect(h.calls).toEqual([4, 1, 1, 1, 1]);
      expect(h.publisher.calls.map((call) => call.map((request) => request.key))).toEqual([
        [first.id],
        [nearCopy.id],
        [other.id],
      ]);
      expect(h.publisher.published[1]?.payload.enrichment.nearDuplicate?.of).toBe(first.id);
      expect(await deadLettersFor([first.id, nearCopy.id, poison.id, other.id])).toEqual([
        { key: poison.id, code: 'ENRICHMENT_TIMEOUT' },
      ]);
      expect(h.keyphrases.frequencies.documents).toBe(3);
      // The calls one article at a time reused the chunk's analyses: the poison one timed out once.
      expect([...h.analyser.analysed].sort()).toEqual([first.id, nearCopy.id, poison.id, other.id].sort());
    },
    TEST_TIMEOUT_MS,
  );
});
