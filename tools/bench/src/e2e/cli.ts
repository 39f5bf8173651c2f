/**
 * `npm run bench`: the end-to-end benchmark of the whole pipeline (see E2E_USAGE). A benchmark, not a
 * test: aims are printed as PASS/FAIL and the exit code is 0 either way; 1 when articles went missing
 * (a phase stalled, or storage lacks rows the join found), 2 for a usage or setup problem.
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { type ParsedArticle } from '@newsflow/article-format';
import { Topic } from '@newsflow/contracts';
import { type Admin, type Kafka } from 'kafkajs';

import { loadReutersRecords } from '../corpus';
import { benchKafka } from '../kafka-setup';
import { findRepoRoot } from '../repo-root';
import { convertReutersRecords } from '../reuters';
import { summarizeLatencies } from '../storage/latency';
import { pidsWhere, processCpu } from '../storage/proc';
import { type DropObject, articleCount, articleSource } from './articles';
import { SampledGroupCpu, backendsOf } from './pg-backends';
import { snapshotTableWrites, tableWritesBetween, tableWritesLine } from './table-writes';
import { type DropTimes, dropAll, dropAtRate, emptyDropTimes, stage } from './drop';
import { measureEnrichmentAlone } from './enrich-alone';
import { type E2eBenchOptions, E2E_USAGE, parseE2eArgs } from './options';
import { ProgressBar, type ProgressState } from './progress';
import {
  type E2eReport,
  type PhaseReport,
  STAGES,
  type Stage,
  aimLine,
  checkE2eAims,
  cpuLine,
  enrichAloneLine,
  idleLine,
  lagLine,
  perSecond,
  phaseTitle,
  pipelineCpuLine,
  postgresLine,
  rssLine,
  stageRows,
  textTable,
  warmupLine,
} from './report';
import { writeE2eResults } from './results';
import { BENCH_DATABASE, SERVICE_NAMES, Stack, processMemory, withAdmin, withBenchDatabase } from './stack';
import { committedTimes, earliestById, middleRate, stageResult } from './timeline';
import { CommitLog, type LagWatch, type Offsets, between, peakLags, readTopic, topicEnds } from './watch';

const BUILD_PROJECTS = SERVICE_NAMES.join(',');
const IDLE_SECONDS = 5;
/** How often the progress bar's enriched count is read from the topic while articles are dropped. */
const ENDS_REFRESH_MS = 500;

class SetupError extends Error {}

const out = (line = '') => process.stdout.write(`${line}\n`);

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseE2eArgs(argv);
  if (!parsed.ok) {
    process.stderr.write(`${parsed.message}\n`);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    out(E2E_USAGE);
    return 0;
  }
  const root = findRepoRoot(__dirname);
  const startedAt = new Date();
  const loadAtStart = loadavg();
  out(
    `Machine: load average ${loadAtStart.map((load) => load.toFixed(2)).join(' / ')} (1/5/15 min); ` +
      'Kafka, Postgres, the four services and this process share its CPUs',
  );
  try {
    await checkPostgres();
    if (!options.skipBuild) build(root);
    return await run(root, options, startedAt, loadAtStart);
  } catch (error) {
    if (error instanceof SetupError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function checkPostgres(): Promise<void> {
  try {
    await withAdmin((client) => client.query('SELECT 1'));
  } catch (error) {
    throw new SetupError(
      `Postgres does not answer (DATABASE_ADMIN_URL or DATABASE_URL, default postgres://postgres@127.0.0.1:5432): ${String(error)}`,
    );
  }
}

/** The services from the working tree, as a fresh clone needs them (Nx skips what is cached). */
function build(root: string): void {
  out(`Building ${BUILD_PROJECTS} (npx nx run-many -t build; cached when unchanged)…`);
  const started = Date.now();
  const result = spawnSync(
    'npx',
    ['nx', 'run-many', '-t', 'build', `--projects=${BUILD_PROJECTS}`, '--output-style=static'],
    // Nx's output goes to stderr: stdout carries the numbers only.
    { cwd: root, stdio: ['ignore', 2, 2] },
  );
  if (result.status !== 0) {
    throw new SetupError(
      `Building the services failed (exit ${result.status ?? result.signal}); Nx said why above`,
    );
  }
  out(`  built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function run(
  root: string,
  options: E2eBenchOptions,
  startedAt: Date,
  loadAtStart: number[],
): Promise<number> {
  const { articles: corpus } = convertReutersRecords(loadReutersRecords());
  const source = articleSource(corpus);
  const warmupObjects = source.textFiles(options.rate * options.warmupSeconds, 'warmup');
  const steadyObjects = options.skipSteady
    ? []
    : source.textFiles(options.rate * options.steadySeconds, 'steady');
  const ndjsonArticles = Math.round(options.articles * options.ndjsonShare);
  const fullObjects = options.skipFull
    ? []
    : [
        ...source.textFiles(options.articles - ndjsonArticles, 'full'),
        ...(await source.ndjsonFiles(ndjsonArticles, options.ndjsonPerFile, 'full')),
      ];
  out(
    `Corpus: ${corpus.length.toLocaleString('en-US')} Reuters-21578 articles; ${source.repeats} repeated wires left out ` +
      '(ingestion would publish them once)',
  );

  const stack = new Stack({
    root,
    externalBrokers: process.env['KAFKA_BROKERS']?.trim() || undefined,
    logLevel: options.logLevel,
    inboxStableMs: options.inboxStableMs,
    cpuProf: options.cpuProf,
    log: out,
  });
  const interrupt = () => {
    process.stderr.write('\nInterrupted: stopping the services and the broker…\n');
    void stack.stop(options.keep).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let commitLog: CommitLog | undefined;
  const notes: string[] = [];
  let failed = false;
  try {
    await stack.start();
    kafka = benchKafka(stack.brokers.split(','));
    admin = kafka.admin();
    await admin.connect();
    const lagWatches: LagWatch[] = [
      { label: 'enrichment', group: stack.groups.enrichment, topic: Topic.ArticleIngestedV1 },
      { label: 'storage', group: stack.groups.storage, topic: Topic.ArticleIngestedV1 },
      { label: 'storage', group: stack.groups.storage, topic: Topic.ArticleEnrichedV1 },
      { label: 'notification', group: stack.groups.notification, topic: Topic.ArticleEnrichedV1 },
    ];
    commitLog = new CommitLog(kafka, admin, stack.groups.storage, lagWatches);
    await commitLog.start();
    const context: PhaseContext = { stack, kafka, admin, commitLog, options };

    if (warmupObjects.length > 0) {
      const warmup = await runPhase(context, 'warm-up', warmupObjects, options.rate);
      out(`\n${warmupLine(warmup)}`);
      if (warmup.stalled) throw new SetupError(`The warm-up stalled: ${warmupLine(warmup)}`);
    }

    // The stack's own cost with nothing to do (timers, consumers polling, this benchmark's sampling),
    // which every phase pays on top of the articles.
    const idle = new PhaseCpu(stack);
    await sleep(IDLE_SECONDS * 1000);
    const idleCpu = perSecond(idle.finish().cpuSeconds, IDLE_SECONDS);
    out(`\n${idleLine(idleCpu, IDLE_SECONDS)}`);

    const phases: PhaseReport[] = [];
    for (const [name, objects, rate] of [
      ['steady', steadyObjects, options.rate],
      ['full', fullObjects, undefined],
    ] as const) {
      if (objects.length === 0) continue;
      const phase = await runPhase(context, name, objects, rate);
      printPhase(phase, options.stallSeconds);
      phases.push(phase);
    }

    const peakRss: Record<string, number | undefined> = {};
    for (const name of SERVICE_NAMES) peakRss[name] = stack.service(name).memory()?.peakRss;
    if (stack.ownsBroker) peakRss['kafka broker'] = processMemory(stack.brokerPid)?.peakRss;

    let enrichmentAlone;
    const full = phases.find((phase) => phase.name === 'full');
    if (full) {
      out('\nEnrichment alone on the same articles (in this process, one thread)…');
      const articles: ParsedArticle[] = fullObjects.flatMap((object) => object.articles);
      enrichmentAlone = measureEnrichmentAlone(articles);
    }
    peakRss['benchmark (this process)'] = process.resourceUsage().maxRSS * 1024;
    const report: E2eReport = {
      idleCpu,
      phases,
      enrichmentAlone,
      shareOfEnrichmentAlone:
        enrichmentAlone && full
          ? full.stages.stored.articlesPerSecond / enrichmentAlone.articlesPerSecond
          : undefined,
      peakRss,
    };
    for (const phase of phases) {
      for (const stageName of STAGES) {
        const result = phase.stages[stageName];
        if (result.reached < result.dropped) {
          failed = true;
          notes.push(
            `${phase.name}: ${result.dropped - result.reached} articles never reached "${stageName}" ` +
              `(e.g. ${result.missingExamples.join(', ')}); see the service logs in .cache/bench/e2e/`,
          );
        }
      }
      if (phase.rowsWithEnrichment !== phase.stages.stored.dropped) {
        failed = true;
        notes.push(
          `${phase.name}: storage holds ${phase.rowsWithEnrichment} of the ${phase.stages.stored.dropped} articles with their enrichment`,
        );
      }
    }
    if (stack.receiver.unexpected.length > 0) {
      notes.push(
        `${stack.receiver.unexpected.length} webhook bodies were not article.matched with an article id`,
      );
    }
    const aims = checkE2eAims(report);
    out();
    if (enrichAloneLine(report)) out(enrichAloneLine(report));
    out(rssLine(report));
    out(`\nAims (reported, not enforced):\n${aims.map(aimLine).join('\n')}`);
    for (const note of notes) out(`Note: ${note}`);
    const written = writeE2eResults(root, {
      startedAt,
      loadAtStart,
      options,
      brokers: stack.brokers,
      ownBroker: stack.ownsBroker,
      corpus: { articles: corpus.length, repeatsLeftOut: source.repeats },
      report,
      aims,
      notes,
      idleSeconds: IDLE_SECONDS,
    });
    out(`\nResults: ${written.map((path) => relative(root, path)).join(', ')}`);
  } finally {
    process.removeListener('SIGINT', interrupt);
    await commitLog?.stop();
    await admin?.disconnect();
    for (const problem of await stack.stop(options.keep)) process.stderr.write(`${problem}\n`);
    if (options.keep) out(`Kept the database (DATABASE_URL=${stack.databaseUrl})`);
  }
  return failed ? 1 : 0;
}

interface PhaseContext {
  stack: Stack;
  kafka: Kafka;
  admin: Admin;
  commitLog: CommitLog;
  options: E2eBenchOptions;
}

/**
 * CPU seconds of a phase: the services, the broker and this process, and Postgres: the backends serving
 * the benchmark's database, also by the service whose connections they serve, apart from the rest of
 * the server (other databases' work and the shared background writers), read every second (see
 * SampledGroupCpu: pools close idle connections).
 */
class PhaseCpu {
  private readonly start: Record<string, number | undefined>;
  private readonly ours: SampledGroupCpu;
  private readonly rest: SampledGroupCpu;
  private readonly byService: (readonly [string, SampledGroupCpu])[];

  constructor(private readonly stack: Stack) {
    const isOurBackend = (cmdline: string) => cmdline.includes(` ${BENCH_DATABASE} `);
    this.ours = new SampledGroupCpu(() =>
      pidsWhere((comm, cmdline) => comm === 'postgres' && isOurBackend(cmdline)),
    );
    this.rest = new SampledGroupCpu(() =>
      pidsWhere((comm, cmdline) => comm === 'postgres' && !isOurBackend(cmdline)),
    );
    this.byService = SERVICE_NAMES.map(
      (name) =>
        [name, new SampledGroupCpu(backendsOf(() => stack.service(name).pid, BENCH_DATABASE))] as const,
    );
    this.start = this.processes();
  }

  finish(): {
    cpuSeconds: Record<string, number | undefined>;
    postgresByService: Record<string, number | undefined>;
  } {
    const end = this.processes();
    const cpuSeconds: Record<string, number | undefined> = {};
    for (const [name, seconds] of Object.entries(end)) {
      const start = this.start[name];
      cpuSeconds[name] = seconds === undefined || start === undefined ? undefined : seconds - start;
    }
    cpuSeconds[`postgres (${BENCH_DATABASE})`] = this.ours.stop();
    cpuSeconds['postgres (rest of the server)'] = this.rest.stop();
    const postgresByService = Object.fromEntries(this.byService.map(([name, group]) => [name, group.stop()]));
    return { cpuSeconds, postgresByService };
  }

  private processes(): Record<string, number | undefined> {
    const seconds: Record<string, number | undefined> = {};
    for (const name of SERVICE_NAMES) seconds[name] = this.stack.service(name).cpuSeconds();
    if (this.stack.ownsBroker && this.stack.brokerPid !== undefined) {
      seconds['kafka broker'] = processCpu(this.stack.brokerPid)?.seconds;
    }
    const own = process.cpuUsage();
    seconds['benchmark'] = (own.user + own.system) / 1e6;
    return seconds;
  }
}

async function runPhase(
  context: PhaseContext,
  name: PhaseReport['name'],
  objects: readonly DropObject[],
  rate: number | undefined,
): Promise<PhaseReport> {
  const { stack, admin, commitLog, options } = context;
  const total = articleCount(objects);
  stage(stack.staging, objects);
  const ingestedStart = await topicEnds(admin, Topic.ArticleIngestedV1);
  const enrichedStart = await topicEnds(admin, Topic.ArticleEnrichedV1);
  // A partition storage has not committed on yet counts from the end of the topic: on a shared broker a
  // new group starts there, and counting from 0 would take the topic's history for progress.
  await commitLog.caughtUp();
  const storedStart: Offsets = new Map([
    ...enrichedStart,
    ...commitLog.committedOffsets(stack.groups.storage, Topic.ArticleEnrichedV1),
  ]);
  const webhooksBefore = stack.receiver.arrivals.length;
  const writesBefore = await withBenchDatabase(stack, snapshotTableWrites);
  const cpu = new PhaseCpu(stack);
  const times: DropTimes = emptyDropTimes();
  const bar = new ProgressBar();
  const started = Date.now();
  let enrichedEnd: Offsets = enrichedStart;
  const state = (): ProgressState => ({
    phase: name,
    total,
    dropped: times.byId.size,
    enriched: between(enrichedStart, enrichedEnd),
    stored: between(storedStart, commitLog.latest()?.offsets ?? storedStart),
    notified: stack.receiver.arrivals.length - webhooksBefore,
    elapsedSeconds: (Date.now() - started) / 1000,
  });
  out(
    `\nPhase ${name}: dropping ${total.toLocaleString('en-US')} articles in ${objects.length.toLocaleString('en-US')} files`,
  );
  if (rate === undefined) dropAll(stack.staging, stack.inbox, objects, times);
  else {
    // The bar's "enriched" count needs the topic's end offsets; read them now and then while dropping.
    // Not on every drop: back-to-back readings (a metadata and two list-offsets requests each) made the
    // benchmark the broker's busiest client and slowed the pipeline it measures.
    let reading: Promise<void> | undefined;
    let lastReadAt = 0;
    const refresh = () => {
      if (reading !== undefined || Date.now() - lastReadAt < ENDS_REFRESH_MS) return;
      lastReadAt = Date.now();
      reading = topicEnds(admin, Topic.ArticleEnrichedV1)
        .then((ends) => {
          enrichedEnd = ends;
        })
        .catch(() => undefined)
        .finally(() => (reading = undefined));
    };
    await dropAtRate(stack.staging, stack.inbox, objects, rate, times, () => {
      refresh();
      bar.update(state());
    });
    await reading;
  }
  const dropTimes = [...times.byId.values()];
  const dropSeconds = (Math.max(...dropTimes) - Math.min(...dropTimes)) / 1000;

  // Until every article is stored and its webhook received, or nothing moves for --stall-seconds.
  let stalled = false;
  let lastProgress = -1;
  let lastProgressAt = Date.now();
  for (;;) {
    stack.assertRunning();
    commitLog.assertHealthy();
    enrichedEnd = await topicEnds(admin, Topic.ArticleEnrichedV1);
    const now = state();
    bar.update(now);
    if (now.stored >= total && now.notified >= total) break;
    const progress = now.enriched + now.stored + now.notified;
    if (progress !== lastProgress) {
      lastProgress = progress;
      lastProgressAt = Date.now();
    } else if (Date.now() - lastProgressAt > options.stallSeconds * 1000) {
      stalled = true;
      break;
    }
    await sleep(250);
  }
  // Every commit up to now read, so that the join sees the last ones.
  await commitLog.caughtUp();
  const seconds = (Date.now() - started) / 1000;
  const { cpuSeconds, postgresByService } = cpu.finish();
  enrichedEnd = await topicEnds(admin, Topic.ArticleEnrichedV1);
  bar.done(state());

  const ingestedEnd = await topicEnds(admin, Topic.ArticleIngestedV1);
  const ingested = await readTopic(context.kafka, Topic.ArticleIngestedV1, ingestedStart, ingestedEnd);
  const messages = await readTopic(context.kafka, Topic.ArticleEnrichedV1, enrichedStart, enrichedEnd);
  const stored = committedTimes(messages, commitLog.samples);
  const reached: Record<Stage, Map<string, number>> = {
    ingested: earliestById(ingested.map((message) => ({ id: message.id, at: message.timestamp }))),
    enriched: earliestById(messages.map((message) => ({ id: message.id, at: message.timestamp }))),
    stored: earliestById([...stored].map(([message, at]) => ({ id: message.id, at }))),
    notified: earliestById(stack.receiver.arrivals.slice(webhooksBefore)),
  };
  const stages = {
    ingested: stageResult(times.byId, reached.ingested),
    enriched: stageResult(times.byId, reached.enriched),
    stored: stageResult(times.byId, reached.stored),
    notified: stageResult(times.byId, reached.notified),
  };
  const middleRates = {} as Record<Stage, number | undefined>;
  for (const stageName of STAGES) {
    const ofPhase = [...times.byId.keys()].flatMap((id) => {
      const at = reached[stageName].get(id);
      return at === undefined ? [] : [at];
    });
    middleRates[stageName] = middleRate(ofPhase);
  }
  const storedByKind: PhaseReport['storedByKind'] = {};
  for (const kind of ['text', 'ndjson'] as const) {
    const latencies = [...times.byId].flatMap(([id, dropped]) => {
      const at = reached.stored.get(id);
      return times.kindById.get(id) === kind && at !== undefined ? [at - dropped] : [];
    });
    if (latencies.length > 0) storedByKind[kind] = summarizeLatencies(latencies);
  }
  const rowsWithEnrichment = await withBenchDatabase(stack, async (client) => {
    const { rows } = await client.query<{ count: number }>(
      'SELECT count(*)::integer AS count FROM storage.articles WHERE id = ANY($1::text[]) AND enrichment IS NOT NULL',
      [[...times.byId.keys()]],
    );
    return rows[0]?.count ?? 0;
  });
  // Statistics reach the shared counters within a second of each transaction's end.
  await sleep(1_000);
  const tableWrites = tableWritesBetween(writesBefore, await withBenchDatabase(stack, snapshotTableWrites));
  const peak = peakLags(commitLog.lags, started);
  const phase: PhaseReport = {
    name,
    offeredRate: rate,
    files: {
      text: objects.filter((object) => object.kind === 'text').length,
      ndjson: objects.filter((object) => object.kind === 'ndjson').length,
    },
    articles: {
      text: articleCount(objects.filter((object) => object.kind === 'text')),
      ndjson: articleCount(objects.filter((object) => object.kind === 'ndjson')),
    },
    dropSeconds,
    seconds,
    stages,
    middleRates,
    storedByKind,
    cpuSeconds,
    postgresByService,
    tableWrites,
    peakLag: Object.fromEntries(Object.entries(peak).map(([key, value]) => [key, value.messages])),
    rowsWithEnrichment,
    stalled,
  };
  return phase;
}

function printPhase(phase: PhaseReport, stallSeconds: number): void {
  const total = phase.articles.text + phase.articles.ndjson;
  out(`\n${phaseTitle(phase)}`);
  out(indent(textTable(stageRows(phase))));
  for (const [kind, summary] of Object.entries(phase.storedByKind)) {
    out(
      `  drop to stored, ${kind} files: p50 ${Math.round(summary.p50Ms)} ms, p99 ${Math.round(summary.p99Ms)} ms`,
    );
  }
  out(`  ${cpuLine(phase)}`);
  out(`  ${pipelineCpuLine(phase, cpus().length)}`);
  out(`  ${postgresLine(phase)}`);
  out(`  ${tableWritesLine(phase.tableWrites, total)}`);
  out(`  ${lagLine(phase)}`);
  if (phase.stalled) out(`  Gave up: nothing progressed for ${stallSeconds} s`);
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
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
