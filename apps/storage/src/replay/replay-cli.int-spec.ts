/**
 * `npm run replay` as an operator runs it (a child process through the npm script), against a real
 * Postgres (DATABASE_URL) and broker (KAFKA_BROKERS). The contract topics are shared with everyone
 * using the broker, so each test notes the end offsets before the replay, reads only what came after
 * with a consumer group of its own, and keeps only its own articles (fresh ids).
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';

import { Kafka, logLevel } from 'kafkajs';

import {
  type ArticleEnrichedV1,
  ArticleEnrichedV1Schema,
  type ArticleIngestedV1,
  ArticleIngestedV1Schema,
  CloudEventHeader,
  Topic,
} from '@newsflow/contracts';
import { ensureTopics, silentLogger } from '@newsflow/kafka';

import { type StorageTestDatabase, openStorageTestDatabase } from '../app/testing/storage-database';
import { enriched, richEnrichment, sampleArticle, sampleEnrichment } from '../app/testing/storage-events';

const brokers = (process.env['KAFKA_BROKERS'] ?? '').trim();
if (!brokers) throw new Error('KAFKA_BROKERS is not set: this suite needs a broker, e.g. 127.0.0.1:9092');

let db: StorageTestDatabase;
let kafka: Kafka;

beforeAll(async () => {
  db = await openStorageTestDatabase('storage_replay_cli');
  kafka = new Kafka({
    clientId: `storage-replay-int-spec-${randomBytes(4).toString('hex')}`,
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  await ensureTopics(kafka, {
    topics: [Topic.ArticleEnrichedV1, Topic.ArticleIngestedV1],
    partitions: 6,
    replicationFactor: 1,
    logger: silentLogger,
  });
});

afterAll(async () => {
  await db?.close();
});

beforeEach(async () => {
  await db.truncate();
});

function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('nx.json not found above the replay tests');
    dir = parent;
  }
  return dir;
}

/** `npm run replay -- <args>` with this suite's database and the test broker. */
function replay(args: readonly string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const result = spawnSync('npm', ['run', '--silent', 'replay', '--', ...args], {
    cwd: repoRoot(),
    env: { ...process.env, DATABASE_URL: db.url, KAFKA_BROKERS: brokers, ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (result.error) throw result.error;
  return result;
}

function expectSuccess(result: SpawnSyncReturns<string>): void {
  if (result.status !== 0) {
    throw new Error(`replay exited with ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
}

type Offsets = Map<number, bigint>;

async function endOffsets(topic: string): Promise<Offsets> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map(({ partition, high }) => [partition, BigInt(high)]));
  } finally {
    await admin.disconnect();
  }
}

interface ReadMessage {
  key: string;
  value: unknown;
  headers: Record<string, string | undefined>;
}

/**
 * Every message of `topic` from `since` (end offsets noted earlier) to the end offsets it has now,
 * whose key is one of `keys`. The start offsets are committed for a fresh group before its consumer
 * joins, so it starts exactly there.
 */
async function readSince(topic: string, since: Offsets, keys: ReadonlySet<string>): Promise<ReadMessage[]> {
  const until = await endOffsets(topic);
  const remaining = new Map(
    [...until]
      .filter(([partition, end]) => end > (since.get(partition) ?? 0n))
      .map(([partition, end]) => [partition, end]),
  );
  if (remaining.size === 0) return [];
  const groupId = `storage-replay-int-spec-${randomBytes(6).toString('hex')}`;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.setOffsets({
      groupId,
      topic,
      partitions: [...since].map(([partition, offset]) => ({ partition, offset: offset.toString() })),
    });
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false, maxWaitTimeInMs: 200 });
  const found: ReadMessage[] = [];
  let done!: () => void;
  const complete = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 6,
      eachMessage: async ({ partition, message }) => {
        const end = remaining.get(partition);
        if (end === undefined || BigInt(message.offset) >= end) return;
        const key = message.key?.toString('utf8') ?? '';
        if (keys.has(key)) {
          const headers: Record<string, string | undefined> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) {
            headers[name] = (Array.isArray(value) ? value[0] : value)?.toString();
          }
          found.push({ key, value: JSON.parse(message.value?.toString('utf8') ?? 'null'), headers });
        }
        if (BigInt(message.offset) + 1n >= end) {
          remaining.delete(partition);
          if (remaining.size === 0) done();
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), 30_000);
    });
    const outcome = await Promise.race([complete, timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      throw new Error(`${topic}: partitions ${[...remaining.keys()]} not read to the end`);
    return found;
  } finally {
    await consumer.disconnect();
  }
}

/** Articles as ingestion publishes them (timestamps from Date.toISOString()), in one February. */
const article = (day: number, overrides: Partial<ArticleIngestedV1> = {}) =>
  sampleArticle({
    publishedAt: `2022-02-${String(day).padStart(2, '0')}`,
    firstSeenAt: new Date(Date.UTC(2022, 1, day, 9, 30, 0, 123)).toISOString(),
    ingestedAt: new Date(Date.UTC(2022, 1, day, 9, 30, 1, 456)).toISOString(),
    ...overrides,
  });

const idsOf = (items: readonly { key: string }[]) => items.map((item) => item.key).sort();

describe('npm run replay', () => {
  it('republishes enriched articles as they were; replaying twice into storage leaves every row as it was', async () => {
    const stored = Array.from({ length: 7 }, (_, index) =>
      enriched(
        article(1 + index, { publisher: index % 2 === 0 ? 'Wire' : undefined }),
        richEnrichment({ summary: `Summary ${index}.` }),
      ),
    );
    const notEnriched = article(3);
    await db.articles.saveIngestedBatch([...stored.map((item) => item.article), notEnriched]);
    await db.articles.saveEnrichedBatch(stored);
    const before = await db.dump({ withSystemColumns: true });
    const since = await endOffsets(Topic.ArticleEnrichedV1);

    // Small batches, so that the paging and the request loop are exercised too.
    const first = replay(['--from', '2022-02-01', '--to', '2022-02-28', '--batch-size', '3']);
    expectSuccess(first);
    expect(first.stdout).toContain(
      `7 of 8 articles published 2022-02-01 to 2022-02-28: enriched → ${Topic.ArticleEnrichedV1}`,
    );
    expect(first.stdout).toContain('1 of them have no enrichment yet');
    expect(first.stdout).toMatch(
      /Done: published 7 of 7 to news\.articles\.enriched\.v1, skipped 0, in \d+\.\d s \(\d+\/s\)\./,
    );
    expectSuccess(replay(['--from', '2022-02-01', '--to', '2022-02-28']));

    const keys = new Set([...stored.map((item) => item.article.id), notEnriched.id]);
    const messages = await readSince(Topic.ArticleEnrichedV1, since, keys);
    expect(messages).toHaveLength(14);
    const storedIds = stored.map((item) => item.article.id).sort();
    expect([...new Set(idsOf(messages))]).toEqual(storedIds);
    for (const message of messages) {
      expect(message.headers[CloudEventHeader.Source]).toBe('/newsflow/storage/replay');
      expect(message.headers[CloudEventHeader.Type]).toBe('dev.newsflow.article.enriched.v1');
      expect(message.headers[CloudEventHeader.TraceParent]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      const original = stored.find((item) => item.article.id === message.key);
      expect(message.value).toEqual(original);
    }

    // What the storage service does with them: one batch, then one message at a time.
    const events = messages.map(
      (message) => ArticleEnrichedV1Schema.parse(message.value) as ArticleEnrichedV1,
    );
    expect(await db.articles.saveEnrichedBatch(events)).toEqual({ written: [] });
    for (const event of events) await db.articles.saveEnrichedBatch([event]);
    expect(await db.dump({ withSystemColumns: true })).toEqual(before);
  });

  it('--reenrich publishes ingested events for articles of an older enrichment version or none; --all for every one', async () => {
    const outdated = article(10);
    const upToDate = article(11);
    const never = article(12);
    const outsideWindow = article(20);
    // Stored before the contract tightened, say: it is reported and skipped, the others go out.
    const broken = article(12);
    await db.articles.saveIngestedBatch([outdated, upToDate, never, outsideWindow, broken]);
    await db.dataSource.query(`UPDATE storage.articles SET lede = '' WHERE id = $1`, [broken.id]);
    await db.articles.saveEnrichedBatch([
      enriched(outdated, sampleEnrichment(1)),
      // Newer than any version the enrichment library will have for a long while.
      enriched(upToDate, sampleEnrichment(1000)),
      enriched(outsideWindow, sampleEnrichment(1)),
    ]);
    const keys = new Set([outdated.id, upToDate.id, never.id, outsideWindow.id, broken.id]);
    const since = await endOffsets(Topic.ArticleIngestedV1);

    const run = replay(['--reenrich', '--from', '2022-02-10', '--to', '2022-02-12']);
    expectSuccess(run);
    expect(run.stdout).toMatch(
      /3 of 4 articles published 2022-02-10 to 2022-02-12: enriched before version \d+ or never enriched/,
    );
    expect(run.stdout).toContain('Done: published 2 of 3 to news.articles.ingested.v1, skipped 1,');
    expect(run.stderr).toContain(`skipped article ${broken.id}: lede: `);
    const messages = await readSince(Topic.ArticleIngestedV1, since, keys);
    expect(idsOf(messages)).toEqual([outdated.id, never.id].sort());
    for (const message of messages) {
      expect(message.headers[CloudEventHeader.Type]).toBe('dev.newsflow.article.ingested.v1');
      expect(ArticleIngestedV1Schema.parse(message.value)).toEqual(message.value);
      expect(message.value).toEqual([outdated, never].find((item) => item.id === message.key));
    }

    const sinceAll = await endOffsets(Topic.ArticleIngestedV1);
    expectSuccess(replay(['--reenrich', '--all', '--from', '2022-02-10', '--to', '2022-02-12']));
    expect(idsOf(await readSince(Topic.ArticleIngestedV1, sinceAll, keys))).toEqual(
      [outdated.id, upToDate.id, never.id].sort(),
    );

    // An explicit version overrides the library's.
    const explicit = replay([
      '--reenrich',
      '--enrichment-version',
      '1001',
      '--dry-run',
      '--from',
      '2022-02-10',
      '--to',
      '2022-02-12',
    ]);
    expectSuccess(explicit);
    expect(explicit.stdout).toContain(
      '4 of 4 articles published 2022-02-10 to 2022-02-12: enriched before version 1001',
    );
  });

  it('--dry-run counts, with the filters, and publishes nothing', async () => {
    const wire = article(5, {
      publisher: 'Wire',
      source: { bucket: 'local', key: 'wire/a.txt', sizeBytes: 1 },
    });
    const other = article(5, { source: { bucket: 'local', key: 'other/b.txt', sizeBytes: 1 } });
    await db.articles.saveEnrichedBatch([
      enriched(wire, richEnrichment()),
      enriched(other, richEnrichment()),
    ]);
    const keys = new Set([wire.id, other.id]);
    const sinceEnriched = await endOffsets(Topic.ArticleEnrichedV1);
    const sinceIngested = await endOffsets(Topic.ArticleIngestedV1);

    const all = replay(['--dry-run', '--from', '2022-02-05', '--to', '2022-02-05']);
    expectSuccess(all);
    expect(all.stdout).toContain('2 of 2 articles published 2022-02-05 to 2022-02-05: enriched');
    expect(all.stdout).toContain('Dry run: nothing published.');
    const filtered = replay([
      '--dry-run',
      '--from',
      '2022-02-05',
      '--to',
      '2022-02-05',
      '--source',
      'local/wire/',
      '--publisher',
      'wire',
    ]);
    expectSuccess(filtered);
    expect(filtered.stdout).toContain(
      '1 of 1 articles published 2022-02-05 to 2022-02-05 (source local/wire/*, publisher wire)',
    );
    expectSuccess(replay(['--dry-run', '--reenrich', '--all', '--from', '2022-02-05', '--to', '2022-02-05']));

    expect(await readSince(Topic.ArticleEnrichedV1, sinceEnriched, keys)).toEqual([]);
    expect(await readSince(Topic.ArticleIngestedV1, sinceIngested, keys)).toEqual([]);
  });

  it.each([
    [['--from', '2022-02-30', '--to', '2022-03-01'], {}, '--from: must be a date YYYY-MM-DD'],
    [['--from', '2022-02-01'], {}, '--to: is required'],
    [
      ['--from', '2022-02-01', '--to', '2022-02-02', '--limit', 'ten'],
      {},
      '--limit: must be a positive integer',
    ],
    [['--from', '2022-02-01', '--to', '2022-02-02'], { KAFKA_BROKERS: 'no-port' }, 'KAFKA_BROKERS:'],
  ])('exits with 2 naming the option for %j %j', (args, env, message) => {
    const result = replay(args, env);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('exits with 1 when the database cannot be reached', () => {
    const result = replay(['--from', '2022-02-01', '--to', '2022-02-02'], {
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('replay failed:');
  });
});
