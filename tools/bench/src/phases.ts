/**
 * The four measured phases. Each runs in a fresh child process (phase-worker.ts), so its peak RSS is
 * its own and not what an earlier phase left on the heap.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

import { type ArticleRecord, parseArticleText, readArticles } from '@newsflow/article-format';

import { type BenchObject, type ParsedRecord, toEventRequests } from './ingested-event';
import { benchKafka, topicFor } from './kafka-setup';
import { MemorySampler, type SchedStat, schedStat, yieldToEventLoop } from './memory';
import { type PhaseInput, type PhaseResult, needsKafka } from './phase-types';
import { BenchTopicSink, ContractTopicSink, type EventSink } from './sink';

const TEXT_BUCKET = 'bench-text';
const NDJSON_BUCKET = 'bench-ndjson';
/** Text files read between two yields to the event loop (for the memory sampler). */
const YIELD_EVERY_FILES = 200;

interface Counters {
  articles: number;
  rejected: number;
  published: number;
  bytes: number;
}

export async function runPhase(input: PhaseInput): Promise<PhaseResult> {
  // Connecting and disconnecting are outside the measured time; publishing is inside.
  const sink = needsKafka(input.phase) ? await connectSink(input) : undefined;
  try {
    const counters: Counters = { articles: 0, rejected: 0, published: 0, bytes: 0 };
    const sampler = new MemorySampler();
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    const schedStarted = schedStat();
    await work(input, counters, sink);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuStarted);
    const sched = schedStat();
    const memory = sampler.stop();
    return {
      phase: input.phase,
      ...counters,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      ...(schedStarted && sched && schedule(seconds, schedStarted, sched)),
      rssStart: memory.rssStart,
      rssPeak: memory.rssPeak,
      heapUsedPeak: memory.heapUsedPeak,
      externalPeak: memory.externalPeak,
      memorySamples: memory.samples,
      topic: sink?.topic,
    };
  } finally {
    await sink?.disconnect();
  }
}

function schedule(
  seconds: number,
  before: SchedStat,
  after: SchedStat,
): Pick<PhaseResult, 'cpuWaitSeconds' | 'idleSeconds'> {
  const run = (after.runNs - before.runNs) / 1e9;
  const wait = (after.waitNs - before.waitNs) / 1e9;
  return { cpuWaitSeconds: wait, idleSeconds: Math.max(0, seconds - run - wait) };
}

async function work(input: PhaseInput, counters: Counters, sink: EventSink | undefined): Promise<void> {
  switch (input.phase) {
    case 'parse-text':
      return parseTextFiles(input.textDir, input.textPasses, counters);
    case 'parse-ndjson':
      return parseNdjson(input.ndjsonFile, input.readChunkBytes, counters);
    case 'publish-text':
    case 'publish-ndjson': {
      if (sink === undefined) throw new Error(`${input.phase} needs Kafka`);
      const batcher = new Batcher(sink, input.batchSize, input.inFlight, counters);
      if (input.phase === 'publish-text') {
        await parseTextFiles(input.textDir, input.textPasses, counters, batcher);
      } else {
        await parseNdjson(input.bigNdjsonFile, input.readChunkBytes, counters, batcher);
      }
      return batcher.finish();
    }
  }
}

async function connectSink(input: PhaseInput): Promise<EventSink> {
  if (input.kafka === undefined) throw new Error(`${input.phase} needs KAFKA_BROKERS`);
  const kafka = benchKafka(input.kafka.brokers);
  const sink = input.kafka.contractTopic
    ? new ContractTopicSink(kafka)
    : new BenchTopicSink(kafka, topicFor(false));
  await sink.connect();
  return sink;
}

/**
 * Phases 1 and 3: every file of the folder, read whole and parsed, as a text object is; `passes` times
 * (a later pass publishes the same articles again, as a re-upload would without the ingest ledger).
 */
async function parseTextFiles(
  dir: string,
  passes: number,
  counters: Counters,
  batcher?: Batcher,
): Promise<void> {
  const names = readdirSync(dir)
    .filter((name) => name.endsWith('.txt'))
    .sort();
  let sinceYield = 0;
  for (const name of Array.from({ length: passes }, () => names).flat()) {
    const content = readFileSync(join(dir, name));
    counters.bytes += content.byteLength;
    const result = parseArticleText(content);
    if (result.ok) {
      counters.articles++;
      const object: BenchObject = { bucket: TEXT_BUCKET, key: name, sizeBytes: content.byteLength };
      const location = { byteStart: 0, byteEnd: content.byteLength };
      if (batcher !== undefined) await batcher.add({ article: result.article, fields: {}, location, object });
    } else {
      counters.rejected++;
    }
    // Without publishing, nothing in this loop would let the memory sampler's timer fire.
    if (++sinceYield >= YIELD_EVERY_FILES) {
      sinceYield = 0;
      await yieldToEventLoop();
    }
  }
}

/** Phases 2 and 4: one NDJSON file streamed through readArticles (gzip off), as the service reads it. */
async function parseNdjson(
  file: string,
  readChunkBytes: number,
  counters: Counters,
  batcher?: Batcher,
): Promise<void> {
  const sizeBytes = statSync(file).size;
  const object: BenchObject = { bucket: NDJSON_BUCKET, key: basename(file), sizeBytes };
  const stream = createReadStream(file, { highWaterMark: readChunkBytes });
  for await (const record of readArticles(stream, { format: 'ndjson', gzip: false })) {
    if (!record.ok) {
      counters.rejected++;
      continue;
    }
    counters.articles++;
    if (batcher !== undefined) await batcher.add(parsedRecord(record, object));
  }
  counters.bytes += sizeBytes;
}

function parsedRecord(record: Extract<ArticleRecord, { ok: true }>, object: BenchObject): ParsedRecord {
  return { article: record.article, fields: record.fields, location: record.location, object };
}

/**
 * Collects records into batches and publishes them. With `inFlight` 1 each batch is acknowledged before
 * the next one is parsed, as in the ingestion service; more overlaps parsing with the broker round trip.
 */
class Batcher {
  private batch: ParsedRecord[] = [];
  private readonly pending: Promise<void>[] = [];
  private failure: unknown;
  private readonly firstSeenAt = new Date().toISOString();

  constructor(
    private readonly sink: EventSink,
    private readonly batchSize: number,
    private readonly inFlight: number,
    private readonly counters: Counters,
  ) {}

  async add(record: ParsedRecord): Promise<void> {
    this.batch.push(record);
    if (this.batch.length >= this.batchSize) await this.send();
  }

  async finish(): Promise<void> {
    if (this.batch.length > 0) await this.send();
    await Promise.all(this.pending);
    this.throwIfFailed();
  }

  private async send(): Promise<void> {
    const records = this.batch;
    this.batch = [];
    const { requests } = toEventRequests(records, {
      firstSeenAt: this.firstSeenAt,
      ingestedAt: new Date().toISOString(),
    });
    // The rejection is kept, not left unhandled while the promise waits in `pending`.
    const sent = this.sink.publish(requests).then(
      () => {
        this.counters.published += requests.length;
      },
      (error: unknown) => {
        this.failure ??= error;
      },
    );
    this.pending.push(sent);
    if (this.pending.length >= this.inFlight) await this.pending.shift();
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
