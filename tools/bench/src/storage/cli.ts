/**
 * `npm run bench:storage`: a benchmark of the storage service, not a test (see STORAGE_USAGE). It runs
 * the service's build as a child process against a database of its own and prints articles/s stored
 * through the consumer path, the raw COPY rate of the same rows and their ratio, and the latency of
 * GET /api/articles on at least 100,000 stored articles. Results go to bench/results/storage-<time>.
 * Aims are reported as PASS/FAIL; the exit code is 0 either way, 1 when a phase failed (or the service
 * stored other rows than the COPY, or a request failed), 2 for a usage or setup problem.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';

import { KafkaEnvSchema } from '@newsflow/config';
import { type ArticleEnrichedV1 } from '@newsflow/contracts';
import { type Client } from 'pg';

import { benchKafka, unreachableBrokers } from '../kafka-setup';
import { findRepoRoot } from '../repo-root';
import { type BenchDatabase, DEFAULT_DATABASE_URL, checkServer, createBenchDatabase } from './bench-database';
import {
  awaitDrain,
  endOffsets,
  messagesBetween,
  prepareContractTopics,
  presetGroupOffsets,
  publishArticles,
} from './consumer-path';
import {
  type PreparedTable,
  appendToStorage,
  copyTable,
  createStagingTables,
  prepareTables,
} from './copy-load';
import { articlesBetween, loadEnrichedCorpus } from './enriched-corpus';
import { summarizeBy, summarizeLatencies } from './latency';
import { type StorageBenchOptions, STORAGE_USAGE, parseStorageArgs } from './options';
import { ProcessGroupCpu, kafkaBrokerProcesses, postgresProcesses } from './proc';
import { QUERY_TYPES, buildQueryMix, corpusVocabulary } from './query-mix';
import { ArticlesClient } from './query-phase';
import {
  type ConsumerSummary,
  type CopySummary,
  type CorpusSummary,
  type QuerySummary,
  type StorageReport,
  aimLine,
  checkStorageAims,
  chunkLine,
  copyFootnote,
  copyTablesRows,
  cpuLine,
  int,
  latencyRows,
  rate,
  rowsMatch,
  rssLine,
  steadyRate,
  textTable,
  throughputRows,
} from './report';
import { writeStorageResults } from './results';
import { fetchDrainMetrics } from './service-metrics';
import { BUILD_HINT, StorageService, freePort, storageEntry } from './storage-service';
import { STORAGE_TABLES } from './table-rows';
import { compareWithStorage } from './verify';

const DEFAULT_BROKERS = '127.0.0.1:9092';
const NO_BROKER_HINT =
  'Start the development broker with `npm run kafka -- start` (it listens on 127.0.0.1:9092), or point KAFKA_BROKERS at another broker.';
const STAGING_SCHEMA = 'bench_copy';
const DRAIN_TIMEOUT_MS = 15 * 60_000;

class SetupError extends Error {}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseStorageArgs(argv);
  if (!parsed.ok) {
    console.error(parsed.message);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    console.log(STORAGE_USAGE);
    return 0;
  }
  const root = findRepoRoot(__dirname);
  const startedAt = new Date();
  const loadAtStart = loadavg();
  try {
    const setup = await checkSetup(root);
    return await run(root, options, setup, startedAt, loadAtStart);
  } catch (error) {
    if (error instanceof SetupError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
}

interface Setup {
  brokers: string[];
  databaseUrl: string;
  entry: string;
}

/** Broker, Postgres and the service's build, before anything slow is done. */
async function checkSetup(root: string): Promise<Setup> {
  const rawBrokers = process.env['KAFKA_BROKERS'] || DEFAULT_BROKERS;
  const brokers = KafkaEnvSchema.shape.KAFKA_BROKERS.safeParse(rawBrokers);
  if (!brokers.success) throw new SetupError(`KAFKA_BROKERS=${rawBrokers} is invalid.`);
  const down = await unreachableBrokers(brokers.data);
  if (down.length === brokers.data.length) {
    throw new SetupError(`No Kafka broker answers at ${down.join(', ')} (KAFKA_BROKERS). ${NO_BROKER_HINT}`);
  }
  const databaseUrl = process.env['DATABASE_URL'] || DEFAULT_DATABASE_URL;
  const server = await checkServer(databaseUrl);
  if (!server.ok)
    throw new SetupError(`Postgres of DATABASE_URL (${databaseUrl}) does not answer: ${server.message}`);
  const entry = storageEntry(root);
  if (!existsSync(entry)) {
    throw new SetupError(
      `The storage service is not built (${relative(root, entry)} is missing). ${BUILD_HINT}`,
    );
  }
  return { brokers: brokers.data, databaseUrl, entry };
}

async function run(
  root: string,
  options: StorageBenchOptions,
  setup: Setup,
  startedAt: Date,
  loadAtStart: number[],
): Promise<number> {
  console.log(
    `Machine: load average ${loadAtStart.map((load) => load.toFixed(2)).join(' / ')} (1/5/15 min); ` +
      'Kafka, Postgres, the service and this process share the CPUs',
  );
  const corpusResult = await loadEnrichedCorpus(root, options.regenerate);
  const base = corpusResult.base.filter((item) => item.article.wordCount >= options.minWords);
  if (base.length === 0) throw new SetupError(`No corpus article has ${options.minWords} words or more`);
  const corpus = corpusSummary(corpusResult.base.length, base, corpusResult.generated, corpusResult.seconds);
  console.log(
    `Corpus: ${int(corpus.used)} of ${int(corpus.cached)} Reuters articles with ≥ ${options.minWords} words ` +
      `(mean ${corpus.meanWords.toFixed(0)} words, ${corpus.meanEntities.toFixed(1)} entities, ${corpus.meanKeywords.toFixed(1)} keywords), ` +
      `${corpusResult.generated ? `parsed and enriched in ${corpus.seconds.toFixed(1)} s` : `read from the cache in ${corpus.seconds.toFixed(1)} s`} ` +
      `(${relative(root, corpusResult.file)})`,
  );
  const articles = [...articlesBetween(base, 0, options.count)];
  // The rows these articles make, formatted for COPY now: the COPY phase times the COPY alone.
  const prepared = prepareTables(articles);
  const expectedRows = prepared.reduce((sum, table) => sum + table.rows, 0);
  const expectedLinks = prepared.find((table) => table.table === 'article_entities')?.rows ?? 0;
  if (options.count > base.length) {
    console.log(
      `  ${int(options.count - base.length)} of the ${int(options.count)} articles are copies (near-duplicates) of others`,
    );
  }

  const kafka = benchKafka(setup.brokers);
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `newsflow-storage-bench-${randomBytes(4).toString('hex')}`;
  let database: BenchDatabase | undefined;
  let service: StorageService | undefined;
  let client: Client | undefined;
  const notes: string[] = [];
  try {
    // ---- publish, then let the service drain -------------------------------------------------------
    await prepareContractTopics(kafka);
    const before = await endOffsets(admin);
    console.log(
      `\nPublishing ${int(articles.length)} ingested and ${int(articles.length)} enriched events to the contract topics on ` +
        `${setup.brokers.join(', ')} (services consuming them there will process these events too)`,
    );
    const published = await publishArticles(kafka, articles, options.publishBatch);
    const after = await endOffsets(admin);
    console.log(
      `  published in ${published.seconds.toFixed(1)} s (${int(rate(published.events, published.seconds))} events/s; not part of the measurement)`,
    );
    await presetGroupOffsets(admin, groupId, before);

    database = await createBenchDatabase(setup.databaseUrl);
    service = new StorageService(
      setup.entry,
      await freePort(),
      {
        DATABASE_URL: database.url,
        KAFKA_BROKERS: setup.brokers.join(','),
        KAFKA_GROUP_ID: groupId,
        KAFKA_AUTO_OFFSET_RESET: 'earliest',
        LOG_LEVEL: options.logLevel,
        LOG_FORMAT: 'json',
        ...(options.maxBatchSize === undefined ? {} : { KAFKA_MAX_BATCH_SIZE: String(options.maxBatchSize) }),
      },
      join(root, '.cache', 'bench', 'storage-service.log'),
    );
    await checkpoint(database);
    console.log(
      `Database ${database.name}; storage service on port ${service.port}, group ${groupId}, log ${relative(root, service.logFile)}`,
    );
    const running = service;
    let cpu: { service: number | undefined; postgres: ProcessGroupCpu; broker: ProcessGroupCpu } | undefined;
    running.start();
    const drain = await awaitDrain({
      admin,
      groupId,
      start: before,
      end: after,
      assertRunning: () => running.assertRunning(),
      timeoutMs: DRAIN_TIMEOUT_MS,
      onJoined: () => {
        cpu = {
          service: running.cpu()?.seconds,
          postgres: new ProcessGroupCpu(postgresProcesses),
          broker: new ProcessGroupCpu(kafkaBrokerProcesses),
        };
      },
    });
    const serviceCpuEnd = running.cpu()?.seconds;
    const postgresCpu = cpu?.postgres.secondsSinceStart();
    const brokerCpu = cpu?.broker.secondsSinceStart();
    const afterDrain = await endOffsets(admin);
    const metrics = await fetchDrainMetrics(running.baseUrl);
    // On a shared broker, other producers may write to the contract topics meanwhile: the service reads
    // those events too, whether they came among ours or while it drained.
    const foreignEvents =
      eventCount(messagesBetween(before, after)) -
      published.events +
      eventCount(messagesBetween(after, afterDrain));
    if (foreignEvents > 0) {
      notes.push(
        `${int(foreignEvents)} events of other producers arrived on the contract topics during the run and the service ` +
          'processed them too: the consumer path was slower than it would be alone; run again when the broker is quiet',
      );
    }
    const consumer: ConsumerSummary = {
      articles: options.count,
      rows: expectedRows,
      entityLinks: expectedLinks,
      publishSeconds: published.seconds,
      foreignEvents,
      startupSeconds: drain.startupSeconds,
      seconds: drain.seconds,
      articlesPerSecond: rate(options.count, drain.seconds),
      linksPerSecond: rate(expectedLinks, drain.seconds),
      rowsPerSecond: rate(expectedRows, drain.seconds),
      steadyArticlesPerSecond: steadyRate(drain.samples, published.events, 0.5),
      serviceCpuSeconds:
        serviceCpuEnd !== undefined && cpu?.service !== undefined ? serviceCpuEnd - cpu.service : undefined,
      postgresCpuSeconds: postgresCpu,
      brokerCpuSeconds: brokerCpu,
      meanChunk: metrics?.meanChunk ?? {},
      deadLetters: metrics?.deadLetters,
    };
    if ((metrics?.deadLetters ?? 0) > 0) {
      notes.push(`${int(metrics?.deadLetters ?? 0)} events were dead-lettered by the service`);
    }
    console.log(
      `\nConsumer path: drained in ${drain.seconds.toFixed(2)} s after ${drain.startupSeconds.toFixed(1)} s of service start-up`,
    );
    console.log(`  ${cpuLine(consumer)}`);
    console.log(`  ${chunkLine(consumer)}`);

    // ---- raw COPY of the same rows -----------------------------------------------------------------
    client = await database.connect();
    const copy = await measureCopy(client, database, prepared, articles.length);
    console.log(
      `\nRaw COPY into ${STAGING_SCHEMA} (logged tables like storage's, indexes and foreign keys included):`,
    );
    console.log(indent(textTable(copyTablesRows(copy))));
    console.log(`  ${copyFootnote(copy)}`);
    if (!rowsMatch(copy)) {
      notes.push(
        'the rows the service stored for the articles differ from the COPY rows (see "differing rows"): articles ' +
          'are missing (see the service log) or table-rows.ts is out of step with storage',
      );
    }
    await client.query(`DROP SCHEMA ${STAGING_SCHEMA} CASCADE`);

    // ---- query latency ----------------------------------------------------------------------------
    let queries: QuerySummary | undefined;
    if (!options.skipQueries) {
      queries = await measureQueries(client, running, base, options);
    }
    const memory = running.memory();

    const report: StorageReport = {
      corpus,
      consumer,
      copy,
      ratio: consumer.articlesPerSecond / Math.max(copy.articlesPerSecond, Number.EPSILON),
      queries,
      servicePeakRss: memory?.peakRss,
    };
    const aims = checkStorageAims(report);
    console.log(
      `\nThroughput (${int(options.count)} articles, ${(consumer.entityLinks / options.count).toFixed(1)} entity links each):`,
    );
    console.log(indent(textTable(throughputRows(report))));
    if (queries) {
      console.log(
        `\nGET /api/articles on ${int(queries.storedArticles)} stored articles, ${int(queries.requests)} requests one at a time ` +
          `after ${int(queries.warmup)} untimed (seed ${options.seed}):`,
      );
      console.log(indent(textTable(latencyRows(queries))));
    }
    console.log(`\n${rssLine(report)}`);
    console.log(`\nAims (reported, not enforced):\n${aims.map(aimLine).join('\n')}`);
    for (const note of notes) console.log(`Note: ${note}`);
    const written = writeStorageResults(root, {
      startedAt,
      loadAtStart,
      options,
      brokers: setup.brokers,
      database: database.name,
      report,
      aims,
      notes,
    });
    console.log(`\nResults: ${written.map((path) => relative(root, path)).join(', ')}`);
    // Numbers from wrong rows or failed requests are no numbers: the run failed, whatever the aims say.
    return rowsMatch(copy) && (queries?.failures ?? 0) === 0 ? 0 : 1;
  } finally {
    await client?.end().catch(() => undefined);
    const exitCode = await service?.stop();
    if (exitCode !== undefined && exitCode !== 0 && exitCode !== null) {
      console.error(`The storage service exited with ${exitCode}; its log: ${service?.logFile ?? ''}`);
    }
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
    if (database && options.keep)
      console.log(`Kept the database ${database.name} (DATABASE_URL=${database.url})`);
    else await database?.drop();
  }
}

function corpusSummary(
  cached: number,
  base: readonly ArticleEnrichedV1[],
  generated: boolean,
  seconds: number,
): CorpusSummary {
  const mean = (value: (item: ArticleEnrichedV1) => number) =>
    base.reduce((sum, item) => sum + value(item), 0) / Math.max(1, base.length);
  return {
    cached,
    used: base.length,
    generated,
    seconds,
    meanWords: mean((item) => item.article.wordCount),
    meanEntities: mean((item) => item.enrichment.entities?.length ?? 0),
    meanKeywords: mean((item) => item.enrichment.keywords?.length ?? 0),
  };
}

/** Flushes dirty pages first, so that a checkpoint does not fall in the middle of a measurement. */
async function checkpoint(database: BenchDatabase): Promise<void> {
  const client = await database.connect();
  try {
    await client.query('CHECKPOINT');
  } catch {
    // Only superusers (and pg_checkpoint members) may; the run goes on without.
  } finally {
    await client.end();
  }
}

async function measureCopy(
  client: Client,
  database: BenchDatabase,
  prepared: readonly PreparedTable[],
  articles: number,
): Promise<CopySummary> {
  await createStagingTables(client, STAGING_SCHEMA);
  await checkpoint(database);
  const postgres = new ProcessGroupCpu(postgresProcesses);
  const started = process.hrtime.bigint();
  await client.query('BEGIN');
  const tables = [];
  for (const table of prepared) tables.push(await copyTable(client, STAGING_SCHEMA, table));
  await client.query('COMMIT');
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const postgresCpuSeconds = postgres.secondsSinceStart();
  const rows = prepared.reduce((sum, table) => sum + table.rows, 0);
  return {
    tables,
    seconds,
    rows,
    bytes: prepared.reduce((sum, table) => sum + table.bytes, 0),
    rowsPerSecond: rate(rows, seconds),
    articlesPerSecond: rate(articles, seconds),
    postgresCpuSeconds,
    comparison: await compareWithStorage(client, STAGING_SCHEMA),
  };
}

async function measureQueries(
  client: Client,
  service: StorageService,
  base: readonly ArticleEnrichedV1[],
  options: StorageBenchOptions,
): Promise<QuerySummary> {
  const setupStarted = process.hrtime.bigint();
  const appended = await appendToStorage(client, articlesBetween(base, options.count, options.queryArticles));
  for (const table of STORAGE_TABLES) await client.query(`VACUUM ANALYZE storage.${table}`);
  const setupSeconds = Number(process.hrtime.bigint() - setupStarted) / 1e9;
  const { rows } = await client.query<{ count: string }>('SELECT count(*) AS count FROM storage.articles');
  const storedArticles = Number(rows[0]?.count ?? 0);
  console.log(
    `\nQuery phase: bulk-loaded ${int(appended)} more articles with COPY and ran VACUUM ANALYZE in ${setupSeconds.toFixed(1)} s ` +
      `(setup, not measured): ${int(storedArticles)} articles stored`,
  );
  const vocabulary = corpusVocabulary(base);
  const warmup = buildQueryMix(vocabulary, options.warmup, options.seed + 1);
  const timed = buildQueryMix(vocabulary, options.queries, options.seed);
  const http = new ArticlesClient(service.baseUrl);
  try {
    // Deep pages are reached by paging from the first one; that paging is not timed.
    for (const request of [...warmup, ...timed])
      if (request.page !== undefined) await http.cursorFor(request);
    await http.run(warmup);
    const result = await http.run(timed);
    for (const failure of result.failures.slice(0, 5)) {
      console.error(`  ${failure.type}: GET ${failure.path} answered ${failure.status}: ${failure.body}`);
    }
    const byKey = result.samples.map((sample) => ({ key: sample.type, ms: sample.ms }));
    return {
      storedArticles,
      setupSeconds,
      requests: result.samples.length,
      warmup: warmup.length,
      overall: summarizeLatencies(result.samples.map((sample) => sample.ms)),
      byType: summarizeBy(byKey, QUERY_TYPES).map(({ key, summary }) => {
        const ofType = result.samples.filter((sample) => sample.type === key);
        return {
          type: key,
          summary,
          meanItems: ofType.reduce((sum, sample) => sum + sample.items, 0) / Math.max(1, ofType.length),
        };
      }),
      failures: result.failures.length,
      shallowDeepPages: result.shallowDeepPages,
      seconds: result.seconds,
    };
  } finally {
    http.close();
  }
}

function eventCount(byTopic: Record<string, number>): number {
  return Object.values(byTopic).reduce((sum, count) => sum + count, 0);
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
