/**
 * `npm run dlq` against a real broker (KAFKA_BROKERS). The suite works on topics of its own, a private
 * dead-letter topic (DLQ_TOPIC), redrive log (DLQ_REDRIVEN_TOPIC) and two "original" topics, and
 * deletes them at the end: the real news.dlq.v1 is never touched. The tests run in order on one set of
 * dead letters (list, show, redrive, purge), the way an operator would go through them.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import {
  type Admin,
  type IHeaders,
  type Kafka,
  type KafkaMessage,
  type Producer,
  Partitioners,
} from 'kafkajs';

import {
  CloudEventHeader,
  DeadLetterHeader,
  newEventMetadata,
  toHeaders,
  traceIdOf,
} from '@newsflow/contracts';
import { createKafkaClient, deadLetterHeaders, silentLogger } from '@newsflow/kafka';

import { type DeadLetterRow } from './format';
import { REDRIVEN_FROM_HEADER } from './redrive-message';
import { runDlq } from './dlq';
import { READER_GROUP_PREFIX, readTopics } from './topic-reader';

const brokers = (process.env['KAFKA_BROKERS'] ?? '').trim();
if (!brokers) throw new Error('KAFKA_BROKERS is not set: this suite needs a broker, e.g. 127.0.0.1:9092');

const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const dlqTopic = `test.dlq-tool.dlq.${suffix}`;
const redrivenTopic = `test.dlq-tool.redriven.${suffix}`;
const ingestedTopic = `test.dlq-tool.ingested.${suffix}`;
const enrichedTopic = `test.dlq-tool.enriched.${suffix}`;

const OLD = new Date('2020-01-01T00:00:00.000Z');
const LONG_VALUE_CHARS = 10_000;

interface Seeded {
  partition: number;
  /** What the consumer read before it failed: what a redrive must give back. */
  original: { key: string; value: string; headers: Record<string, string> };
  stage: string;
  code: string;
  topic: string;
  timestamp: Date;
}

/** Seven dead letters over two partitions: three from 2020 on partition 0, the rest from today. */
function seedPlan(now: Date): Omit<Seeded, 'original'>[] {
  return [
    { partition: 0, stage: 'enrichment', code: 'ENRICHMENT_TIMEOUT', topic: ingestedTopic, timestamp: OLD },
    {
      partition: 0,
      stage: 'enrichment',
      code: 'ENRICHMENT_TIMEOUT',
      topic: ingestedTopic,
      timestamp: new Date(OLD.getTime() + 1_000),
    },
    {
      partition: 0,
      stage: 'storage',
      code: 'VALIDATION_FAILED',
      topic: ingestedTopic,
      timestamp: new Date(OLD.getTime() + 2_000),
    },
    { partition: 0, stage: 'storage', code: 'VALIDATION_FAILED', topic: ingestedTopic, timestamp: now },
    {
      partition: 1,
      stage: 'notification',
      code: 'SUBSCRIPTION_LOOKUP_FAILED',
      topic: enrichedTopic,
      timestamp: now,
    },
    {
      partition: 1,
      stage: 'notification',
      code: 'SUBSCRIPTION_LOOKUP_FAILED',
      topic: enrichedTopic,
      timestamp: now,
    },
    { partition: 1, stage: 'storage', code: 'MALFORMED_JSON', topic: enrichedTopic, timestamp: now },
  ];
}

let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let seeded: Seeded[];

function headerText(headers: IHeaders | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));
}

/** Writes a dead letter as the consumer runtime does (deadLetterHeaders), at a chosen time and partition. */
async function seed(plan: Omit<Seeded, 'original'>, index: number): Promise<Seeded> {
  const key = randomBytes(16).toString('hex');
  const value =
    plan.code === 'MALFORMED_JSON'
      ? 'not json {'
      : JSON.stringify({
          id: key,
          lede: `dead letter ${index}`,
          padding: index === 3 ? 'x'.repeat(LONG_VALUE_CHARS) : '',
        });
  const headers = toHeaders(newEventMetadata({ type: 'test.event', source: '/dlq-int-spec' }));
  const message: KafkaMessage = {
    key: Buffer.from(key),
    value: Buffer.from(value),
    headers,
    offset: String(100 + index),
    timestamp: String(plan.timestamp.getTime()),
    attributes: 0,
  };
  await producer.send({
    topic: dlqTopic,
    messages: [
      {
        key,
        value,
        partition: plan.partition,
        timestamp: String(plan.timestamp.getTime()),
        headers: deadLetterHeaders({
          stage: plan.stage,
          consumerGroup: `newsflow-${plan.stage}`,
          topic: plan.topic,
          partition: 2,
          message,
          error: { code: plan.code, message: `${plan.code} for ${key}\nsecond line`, retryable: false },
          attempts: 5,
          firstFailureAt: new Date(plan.timestamp.getTime() - 5_000),
          lastFailureAt: plan.timestamp,
        }),
      },
    ],
  });
  return { ...plan, original: { key, value, headers } };
}

interface Run {
  code: number;
  out: string;
  err: string;
}

async function dlq(argv: string[], confirm?: (question: string) => Promise<boolean>): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDlq({
    argv,
    env: { KAFKA_BROKERS: brokers, DLQ_TOPIC: dlqTopic, DLQ_REDRIVEN_TOPIC: redrivenTopic },
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    confirm,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function listJson(...argv: string[]): Promise<DeadLetterRow[]> {
  const run = await dlq(['list', '--json', ...argv]);
  expect(run).toMatchObject({ code: 0, err: '' });
  return JSON.parse(run.out) as DeadLetterRow[];
}

async function readAll(topic: string): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  await readTopics({ kafka, admin }, [
    { topic, onMessage: (_partition, message) => void messages.push(message) },
  ]);
  return messages;
}

async function readerGroups(): Promise<string[]> {
  const { groups } = await admin.listGroups();
  return groups.map((group) => group.groupId).filter((id) => id.startsWith(READER_GROUP_PREFIX));
}

function idOf(entry: Seeded, rows: readonly DeadLetterRow[]): string {
  const row = rows.find((candidate) => candidate.key === entry.original.key);
  if (!row) throw new Error(`dead letter with key ${entry.original.key} not listed`);
  return row.id;
}

beforeAll(async () => {
  kafka = createKafkaClient({
    clientId: `dlq-int-spec-${suffix}`,
    brokers: brokers.split(','),
    logger: silentLogger,
  });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [dlqTopic, ingestedTopic, enrichedTopic].map((topic) => ({
      topic,
      numPartitions: 2,
      replicationFactor: 1,
    })),
  });
  producer = kafka.producer({
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  const now = new Date();
  seeded = [];
  for (const [index, plan] of seedPlan(now).entries()) seeded.push(await seed(plan, index));
});

afterAll(async () => {
  await producer?.disconnect();
  if (admin) {
    const existing = new Set(await admin.listTopics());
    const ours = [dlqTopic, redrivenTopic, ingestedTopic, enrichedTopic].filter((topic) =>
      existing.has(topic),
    );
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
    await admin.disconnect();
  }
});

describe('npm run dlq list', () => {
  it('lists every dead letter with its failure context, oldest first, and leaves no consumer group behind', async () => {
    const groupsBefore = await readerGroups();
    const rows = await listJson();
    const expectedOrder = [...seeded]
      .sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime() || a.partition - b.partition)
      .map((entry) => entry.original.key);
    expect(rows.map((row) => row.key)).toEqual(expectedOrder);
    const first = rows[0] as DeadLetterRow;
    expect(first).toMatchObject({
      id: '0-0',
      partition: 0,
      offset: '0',
      deadLetteredAt: OLD.toISOString(),
      stage: 'enrichment',
      consumerGroup: 'newsflow-enrichment',
      originalTopic: ingestedTopic,
      originalPartition: 2,
      originalOffset: '100',
      errorCode: 'ENRICHMENT_TIMEOUT',
      attempts: 5,
      firstFailureAt: new Date(OLD.getTime() - 5_000).toISOString(),
      lastFailureAt: OLD.toISOString(),
      redriven: null,
    });
    expect(first.errorMessage).toBe(`ENRICHMENT_TIMEOUT for ${seeded[0]?.original.key}\nsecond line`);
    expect(await readerGroups()).toEqual(groupsBefore);
  });

  it('filters by stage, code, original topic and time, and limits to the most recent', async () => {
    expect(await listJson('--stage', 'storage')).toHaveLength(3);
    expect(await listJson('--code', 'ENRICHMENT_TIMEOUT,MALFORMED_JSON')).toHaveLength(3);
    expect(await listJson('--topic', enrichedTopic)).toHaveLength(3);
    expect(await listJson('--since', '2021-01-01')).toHaveLength(4);
    expect(await listJson('--until', '2021-01-01', '--stage', 'enrichment')).toHaveLength(2);
    // storage: 0-2 from 2020, then 0-3 and 1-2 from today (same millisecond: partition order).
    const limited = await listJson('--limit', '2', '--stage', 'storage');
    expect(limited.map((row) => row.id)).toEqual(['0-3', '1-2']);
  });

  it('prints a table with one line per dead letter', async () => {
    const run = await dlq(['list', '--stage', 'notification']);
    expect(run.code).toBe(0);
    const lines = run.out.split('\n');
    expect(lines[0]).toMatch(/^ID +DEAD-LETTERED \(UTC\) +STAGE +GROUP +ORIGINAL/);
    expect(lines.filter((line) => line.includes('SUBSCRIPTION_LOOKUP_FAILED'))).toHaveLength(2);
    // The original offsets are 100 + the seeding order: the notification ones were fifth and sixth.
    expect(run.out).toContain(`${enrichedTopic}/2/104`);
    expect(run.out).toContain(`${enrichedTopic}/2/105`);
    expect(run.out).toContain('2 dead letters (stage notification; 2 not redriven) of 7');
  });
});

describe('npm run dlq show', () => {
  it('shows the failure, the original headers and the value, cut short unless --full', async () => {
    const rows = await listJson();
    const long = seeded[3] as Seeded;
    const id = idOf(long, rows);
    const run = await dlq(['show', id]);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Dead letter ${id} on ${dlqTopic}`);
    expect(run.out).toMatch(/stage +storage/);
    expect(run.out).toMatch(
      new RegExp(`original +${ingestedTopic.replace(/\./g, '\\.')} partition 2 offset 103`),
    );
    expect(run.out).toContain(`${CloudEventHeader.Id}`);
    expect(run.out).toContain(long.original.headers[CloudEventHeader.Id]);
    expect(run.out).not.toContain(DeadLetterHeader.ErrorCode);
    expect(run.out).toContain(`"id": "${long.original.key}"`);
    expect(run.out).toContain('more characters (--full shows all)');
    const full = await dlq(['show', id, '--full']);
    expect(full.out).toContain('x'.repeat(LONG_VALUE_CHARS));
    expect(full.out).not.toContain('--full shows all');
  });

  it('says so when the id names no dead letter', async () => {
    const run = await dlq(['show', '1-999']);
    expect(run.code).toBe(1);
    expect(run.err).toContain(`No dead letter 1-999 on ${dlqTopic}: partition 1 holds offsets 0 to 2`);
  });
});

describe('npm run dlq redrive', () => {
  it('--dry-run publishes nothing', async () => {
    const run = await dlq(['redrive', '--stage', 'storage', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.out).toContain('Would redrive 3 dead letters');
    expect(await readAll(ingestedTopic)).toHaveLength(0);
    expect(await readAll(enrichedTopic)).toHaveLength(0);
  });

  it('republishes the original key, value and headers to the original topic, as a new event caused by the original', async () => {
    const rows = await listJson();
    const storageOnIngested = seeded.filter(
      (entry) => entry.stage === 'storage' && entry.topic === ingestedTopic,
    );
    const run = await dlq(['redrive', '--stage', 'storage', '--topic', ingestedTopic]);
    expect(run).toMatchObject({ code: 0, err: '' });
    expect(run.out).toContain(`Redrove 2 dead letters (${ingestedTopic}: 2)`);

    const republished = await readAll(ingestedTopic);
    expect(republished).toHaveLength(2);
    for (const entry of storageOnIngested) {
      const message = republished.find((candidate) => candidate.key?.toString() === entry.original.key);
      if (!message) throw new Error(`${entry.original.key} was not redriven`);
      expect(message.value?.toString()).toBe(entry.original.value);
      const headers = headerText(message.headers);
      const original = entry.original.headers;
      const changed = [
        CloudEventHeader.Id,
        CloudEventHeader.CausationId,
        CloudEventHeader.TraceParent,
        REDRIVEN_FROM_HEADER,
      ];
      const kept = Object.fromEntries(
        Object.entries(headers).filter(([name]) => !changed.includes(name as never)),
      );
      const originalKept = Object.fromEntries(
        Object.entries(original).filter(([name]) => !changed.includes(name as never)),
      );
      expect(kept).toEqual(originalKept);
      expect(Object.keys(headers).some((name) => name.startsWith('dlq_'))).toBe(false);
      expect(headers[CloudEventHeader.Id]).not.toBe(original[CloudEventHeader.Id]);
      expect(headers[CloudEventHeader.CausationId]).toBe(original[CloudEventHeader.Id]);
      expect(headers[CloudEventHeader.CorrelationId]).toBe(original[CloudEventHeader.CorrelationId]);
      expect(traceIdOf(headers[CloudEventHeader.TraceParent])).toBe(
        traceIdOf(original[CloudEventHeader.TraceParent]),
      );
      expect(headers[REDRIVEN_FROM_HEADER]).toBe(idOf(entry, rows));
    }
    expect(await readAll(enrichedTopic)).toHaveLength(0);

    const listed = await listJson('--stage', 'storage');
    expect(
      listed
        .filter((row) => row.redriven !== null)
        .map((row) => row.key)
        .sort(),
    ).toEqual(storageOnIngested.map((entry) => entry.original.key).sort());
  });

  it('republishes nothing the second time, unless --again', async () => {
    const second = await dlq(['redrive', '--stage', 'storage', '--topic', ingestedTopic]);
    expect(second.code).toBe(0);
    expect(second.out).toContain('Redrove 0 dead letters.');
    expect(second.out).toContain('2 selected were redriven before');
    expect(await readAll(ingestedTopic)).toHaveLength(2);

    const again = await dlq(['redrive', '--stage', 'storage', '--topic', ingestedTopic, '--again']);
    expect(again.code).toBe(0);
    expect(again.out).toContain(`Redrove 2 dead letters (${ingestedTopic}: 2)`);
    expect(await readAll(ingestedTopic)).toHaveLength(4);
    const counts = (await listJson('--stage', 'storage', '--topic', ingestedTopic)).map(
      (row) => row.redriven?.count,
    );
    expect(counts).toEqual([2, 2]);
  });

  it('redrives chosen ids and reports ids that do not exist', async () => {
    const rows = await listJson('--stage', 'notification');
    const [one] = rows;
    const run = await dlq(['redrive', '--id', `${one?.id},1-999`]);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`Redrove 1 dead letter (${enrichedTopic}: 1)`);
    expect(run.err).toContain('1-999');
    expect(await readAll(enrichedTopic)).toHaveLength(1);
  });
});

describe('npm run dlq purge', () => {
  it('asks first, and deletes nothing without a yes', async () => {
    const questions: string[] = [];
    const declined = await dlq(['purge', '--before', '2021-01-01'], (question) => {
      questions.push(question);
      return Promise.resolve(false);
    });
    expect(declined.code).toBe(1);
    expect(questions).toEqual(['Delete these 3 dead letters for good? [y/N] ']);
    expect(declined.out).toContain(
      `3 dead letters on ${dlqTopic} were recorded before 2021-01-01T00:00:00.000Z (2 never redriven)`,
    );
    expect(declined.out).toContain('Nothing deleted.');

    const unattended = await dlq(['purge', '--before', '2021-01-01']);
    expect(unattended.code).toBe(2);
    expect(unattended.err).toContain('--yes');
    const offsets = await admin.fetchTopicOffsets(dlqTopic);
    expect(offsets.map((partition) => partition.low)).toEqual(['0', '0']);
  });

  it('--yes deletes the dead letters recorded before the time, and only those', async () => {
    const run = await dlq(['purge', '--before', '2021-01-01', '--yes']);
    expect(run).toMatchObject({ code: 0, err: '' });
    const offsets = await admin.fetchTopicOffsets(dlqTopic);
    const low = Object.fromEntries(offsets.map((partition) => [partition.partition, partition.low]));
    expect(low).toEqual({ 0: '3', 1: '0' });
    const remaining = await listJson();
    expect(remaining.map((row) => row.key).sort()).toEqual(
      seeded
        .filter((entry) => entry.timestamp >= new Date('2021-01-01T00:00:00Z'))
        .map((entry) => entry.original.key)
        .sort(),
    );
    expect((await dlq(['purge', '--before', '2021-01-01', '--yes'])).out).toContain('Nothing to purge');
  });
});

describe('npm run dlq as a command', () => {
  function repoRoot(): string {
    let dir = __dirname;
    while (!existsSync(path.join(dir, 'nx.json'))) dir = path.dirname(dir);
    return dir;
  }

  it('exits 2 naming the option when an argument is wrong', () => {
    const result: SpawnSyncReturns<string> = spawnSync(
      'npm',
      ['run', '--silent', 'dlq', '--', 'list', '--since', 'last tuesday'],
      {
        cwd: repoRoot(),
        env: { ...process.env, KAFKA_BROKERS: brokers, DLQ_TOPIC: dlqTopic },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('dlq: --since: must be YYYY-MM-DD');
    expect(result.stdout).toBe('');
  });
});
