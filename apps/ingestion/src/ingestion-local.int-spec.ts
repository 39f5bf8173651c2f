/**
 * The ingestion service (from `dist/`) on a local inbox folder (INBOX_DIR = a temporary folder) against
 * the real Kafka broker and Postgres: a backlog present at start-up, files written slowly, renamed from
 * *.tmp, dot-files. Own database and consumer groups; the contract topics are shared (and other suites
 * use the bucket name `local` too), so only events whose key lies under this run's folder count.
 */
import { mkdir, mkdtemp, open, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Topic } from '@newsflow/contracts';

import { ARTICLE_DATE, expectedArticleId, textArticle } from './testing/articles';
import { eventually, forEachLimited, freePort, requireEnv, runId, sleep } from './testing/environment';
import { IngestionProcess } from './testing/ingestion-process';
import { type CollectedMessage, KafkaCollector, duplicatesOf, testKafka } from './testing/kafka-collector';
import { TestDatabase } from './testing/test-database';

const env = requireEnv(['KAFKA_BROKERS', 'DATABASE_URL']);

const run = runId();
/** Every file of this run lies in this folder of the inbox, so its keys start with it. */
const ROOT = `run-${run}`;
const QUIET_MS = 3_000;
const STABLE_MS = 500;
const BACKLOG = 2_000;
const pad = (n: number) => String(n).padStart(4, '0');

/** Writes `chunks` to a new file one after the other, `pauseMs` apart, as a slow upload would. */
async function writeSlowly(file: string, chunks: readonly string[], pauseMs: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (const [index, chunk] of chunks.entries()) {
      if (index > 0) await sleep(pauseMs);
      await handle.write(chunk);
    }
  } finally {
    await handle.close();
  }
}

/** A long article as chunks: the header, then one paragraph appended word group by word group. */
function slowArticle(label: string, pieces: number) {
  const lede = `Slow lede ${label}`;
  const words = Array.from({ length: pieces }, (_, index) => `part${index + 1} of the slowly written body`);
  const paragraph = `${words.join(' ')}.`;
  return {
    chunks: [
      `date ${ARTICLE_DATE} ${lede}\n\n`,
      ...words.map((word, index) => (index === 0 ? word : ` ${word}`)),
      '.\n',
    ],
    paragraph,
    id: expectedArticleId(ARTICLE_DATE, lede, [paragraph]),
  };
}

describe('ingestion on a local inbox folder', () => {
  const database = new TestDatabase('ingest_local');
  const kafka = testKafka(env.KAFKA_BROKERS, `ingestion-int-local-${run}`);
  const services: IngestionProcess[] = [];
  const inboxes: string[] = [];
  let events: KafkaCollector;

  const ingestedFor = (key: string) => events.ingested((event) => event.source.key === key);

  async function startIngestion(label: string, inbox: string, rescanMs: number): Promise<IngestionProcess> {
    const service = new IngestionProcess(label, await freePort(), {
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      DATABASE_URL: database.url,
      INBOX_URL: '', // unset: INBOX_DIR applies
      INBOX_DIR: inbox,
      INBOX_STABLE_MS: String(STABLE_MS),
      INBOX_RESCAN_INTERVAL_MS: String(rescanMs),
      KAFKA_GROUP_ID: `ingestion-int-local-${run}-${label}`,
      KAFKA_AUTO_OFFSET_RESET: 'latest',
    });
    services.push(service);
    service.start();
    return service;
  }

  async function newInbox(): Promise<string> {
    const inbox = await mkdtemp(path.join(tmpdir(), 'newsflow-ingest-int-'));
    inboxes.push(inbox);
    await mkdir(path.join(inbox, ROOT), { recursive: true });
    return inbox;
  }

  beforeAll(async () => {
    events = await KafkaCollector.start(
      kafka,
      [Topic.ArticleIngestedV1, Topic.ArticleRejectedV1],
      (message: CollectedMessage) => {
        const source = (message.json as { source?: { bucket?: unknown; key?: unknown } } | undefined)?.source;
        return (
          source?.bucket === 'local' && typeof source.key === 'string' && source.key.startsWith(`${ROOT}/`)
        );
      },
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(services.map((service) => service.stop()));
    await events?.stop();
    for (const inbox of inboxes) await rm(inbox, { recursive: true, force: true });
    await database.drop();
  }, 60_000);

  describe('file-system events (reconciliation only at start-up: rescan every 10 minutes)', () => {
    let inbox: string;
    let service: IngestionProcess;
    const bulk = Array.from({ length: BACKLOG }, (_, index) => ({
      key: `${ROOT}/bulk/a-${pad(index + 1)}.txt`,
      article: textArticle(`${run} local ${index + 1}`),
    }));
    const ignored = [`${ROOT}/bulk/.hidden.txt`, `${ROOT}/.dot-folder/inside.txt`, `${ROOT}/bulk/upload.tmp`];

    beforeAll(async () => {
      inbox = await newInbox();
      await mkdir(path.join(inbox, ROOT, 'bulk'), { recursive: true });
      await mkdir(path.join(inbox, ROOT, '.dot-folder'), { recursive: true });
      await mkdir(path.join(inbox, ROOT, 'live'), { recursive: true });
      await forEachLimited(bulk, 64, async ({ key, article }) => {
        await writeFile(path.join(inbox, key), article.content);
      });
      for (const [index, key] of ignored.entries()) {
        await writeFile(path.join(inbox, key), textArticle(`${run} ignored ${index}`).content);
      }
    }, 60_000);

    afterAll(async () => {
      expect(await service.stop()).toBe(0);
    }, 30_000);

    it(`scenario 7a: publishes a backlog of ${BACKLOG} files present at start-up, each once; dot-files, dot-folders and *.tmp are ignored`, async () => {
      const started = Date.now();
      service = await startIngestion('events', inbox, 600_000);
      await service.waitUntilReady();
      const ready = Date.now();
      const bulkKeys = new Set(bulk.map((file) => file.key));
      const published = () => events.ingested((event) => bulkKeys.has(event.source.key));
      await eventually(
        () => `${BACKLOG} articles (have ${published().length})`,
        () => (published().length >= BACKLOG ? true : undefined),
        90_000,
      );
      const drained = Date.now();
      console.log(
        `scenario 7a: ${BACKLOG} files drained ${drained - started} ms after the process start ` +
          `(${drained - ready} ms after /health answered; ${Math.round((BACKLOG * 1000) / (drained - ready))} files/s)`,
      );
      await sleep(QUIET_MS);
      const all = published();
      expect(duplicatesOf(all.map((event) => event.source.key))).toEqual({
        unique: BACKLOG,
        extra: 0,
        repeated: [],
      });
      const byKey = new Map(all.map((event) => [event.source.key, event]));
      for (const { key, article } of bulk) {
        expect({ key, id: byKey.get(key)?.id, bucket: byKey.get(key)?.source.bucket }).toEqual({
          key,
          id: article.id,
          bucket: 'local',
        });
      }
      for (const key of ignored)
        expect({ key, events: events.messages.filter((m) => m.value.includes(key)) }).toEqual({
          key,
          events: [],
        });
      const [row] = await database.query<{ done: string; attempts: string }>(
        `SELECT count(*) FILTER (WHERE status = 'done') AS done, max(attempts) AS attempts FROM ingestion.objects
         WHERE bucket = 'local' AND key LIKE $1`,
        [`${ROOT}/bulk/%`],
      );
      expect(row).toEqual({ done: String(BACKLOG), attempts: 1 });
    }, 120_000);

    it('scenario 7b: a file written slowly in chunks over ~1.2 s is read once, complete', async () => {
      const key = `${ROOT}/live/slow.txt`;
      const slow = slowArticle(`${run} watcher`, 12);
      const started = Date.now();
      await writeSlowly(path.join(inbox, key), slow.chunks, 100);
      const written = Date.now();
      const [event] = await eventually(
        'the slowly written article',
        () => (ingestedFor(key).length > 0 ? ingestedFor(key) : undefined),
        20_000,
      );
      console.log(
        `scenario 7b: written in ${written - started} ms, published ${Date.now() - written} ms after the last write`,
      );
      expect(event).toMatchObject({ id: slow.id, paragraphs: [slow.paragraph], text: slow.paragraph });
      await sleep(QUIET_MS);
      expect(ingestedFor(key)).toHaveLength(1);
    });

    it('scenario 7c: a *.tmp file renamed to .txt once written is read once, under its final name', async () => {
      const article = textArticle(`${run} renamed`);
      const temporary = path.join(inbox, ROOT, 'live', 'renamed.tmp');
      await writeFile(temporary, article.content);
      await sleep(1_500);
      expect(events.messages.filter((message) => message.value.includes('renamed.tmp'))).toEqual([]);
      await rename(temporary, path.join(inbox, ROOT, 'live', 'renamed.txt'));
      const key = `${ROOT}/live/renamed.txt`;
      await eventually('the renamed article', () => (ingestedFor(key).length > 0 ? true : undefined), 20_000);
      await sleep(QUIET_MS);
      expect(ingestedFor(key).map((event) => event.id)).toEqual([article.id]);
      expect(events.messages.filter((message) => message.value.includes('renamed.tmp'))).toEqual([]);
    });

    it(`scenario 7e: 200 files written earlier and renamed in at 100 files/s are each published once, without the ${STABLE_MS} ms stability wait`, async () => {
      const staging = path.join(inbox, ROOT, '.staging');
      await mkdir(staging, { recursive: true });
      await mkdir(path.join(inbox, ROOT, 'renamed-in'), { recursive: true });
      const files = Array.from({ length: 200 }, (_, index) => ({
        key: `${ROOT}/renamed-in/r-${pad(index + 1)}.txt`,
        article: textArticle(`${run} renamed in ${index + 1}`),
      }));
      const anHourAgo = new Date(Date.now() - 3_600_000);
      for (const { key, article } of files) {
        const staged = path.join(staging, path.basename(key));
        await writeFile(staged, article.content);
        await utimes(staged, anHourAgo, anHourAgo);
      }
      const droppedAt = new Map<string, number>();
      const start = Date.now();
      for (const [index, { key }] of files.entries()) {
        await sleep(Math.max(0, start + index * 10 - Date.now()));
        await rename(path.join(staging, path.basename(key)), path.join(inbox, key));
        droppedAt.set(key, Date.now());
      }
      const keys = new Set(files.map((file) => file.key));
      const published = () => events.ingested((event) => keys.has(event.source.key));
      await eventually(
        () => `200 renamed-in articles (have ${published().length})`,
        () => (published().length >= files.length ? true : undefined),
        60_000,
      );
      const latencies = published()
        .map((event) => Date.parse(event.ingestedAt) - (droppedAt.get(event.source.key) ?? Number.NaN))
        .sort((a, b) => a - b);
      const percentile = (p: number) =>
        latencies[Math.floor((p / 100) * (latencies.length - 1))] ?? Number.NaN;
      console.log(
        `scenario 7e: rename to ingestedAt p50 ${percentile(50)} ms, p99 ${percentile(99)} ms, max ${percentile(100)} ms`,
      );
      // A file whose last write is older than INBOX_STABLE_MS is complete: it is not held back for it.
      expect(percentile(50)).toBeLessThan(STABLE_MS);
      await sleep(QUIET_MS);
      expect(duplicatesOf(published().map((event) => event.source.key))).toEqual({
        unique: files.length,
        extra: 0,
        repeated: [],
      });
    });

    it('scenario 7d: dot-files and files in dot-folders written while running are ignored', async () => {
      await mkdir(path.join(inbox, ROOT, 'live', '.cache'), { recursive: true });
      const keys = [`${ROOT}/live/.hidden-live.txt`, `${ROOT}/live/.cache/inside.txt`];
      for (const [index, key] of keys.entries()) {
        await writeFile(path.join(inbox, key), textArticle(`${run} dot ${index}`).content);
      }
      // A visible file written after them: once it is in, the watcher has seen the others too.
      const marker = `${ROOT}/live/after-dot-files.txt`;
      await writeFile(path.join(inbox, marker), textArticle(`${run} marker`).content);
      await eventually('the marker file', () => (ingestedFor(marker).length > 0 ? true : undefined), 20_000);
      await sleep(1_000);
      for (const key of keys)
        expect({ key, events: events.messages.filter((m) => m.value.includes(key)) }).toEqual({
          key,
          events: [],
        });
      const rows = await database.query<{ key: string }>(
        `SELECT key FROM ingestion.objects WHERE key LIKE $1`,
        [`${ROOT}/%`],
      );
      expect(rows.filter((row) => row.key.split('/').some((segment) => segment.startsWith('.')))).toEqual([]);
    });
  });

  describe('reconciliation every 200 ms', () => {
    let inbox: string;
    let service: IngestionProcess;

    beforeAll(async () => {
      inbox = await newInbox();
      service = await startIngestion('rescan', inbox, 200);
      await service.waitUntilReady();
    }, 90_000);

    afterAll(async () => {
      expect(await service.stop()).toBe(0);
    }, 30_000);

    // BUG (apps/ingestion/src/app/ingest/ingestion.service.ts reconcile(), ~lines 107-125, with
    // LocalFolderStore.list() in libs/object-store/src/lib/local-folder-store.ts): reconciliation queues
    // every listed file at once, without the INBOX_STABLE_MS check the watcher applies ("a local file
    // counts as complete once its size has not changed for this long"). A rescan that falls while a file
    // is being written reads it half-written. Observed, depending on where the rescan lands:
    //  - the header alone was read: the file is rejected as EMPTY_BODY and MOVED to .rejected/ while the
    //    writer keeps writing into it there; the finished article is never published;
    //  - part of the body was read: a truncated but valid article is published, then every later size
    //    is a new version (size-mtime etag) and is published again under another id (7-8 articles from
    //    one file here).
    // Production rescans every 60 s (INBOX_RESCAN_INTERVAL_MS), so any upload spanning a rescan is hit.
    it('does not read a file that is still being written (slow write over ~1.2 s)', async () => {
      const key = `${ROOT}/slow-during-rescan.txt`;
      const slow = slowArticle(`${run} rescan`, 12);
      await writeSlowly(path.join(inbox, key), slow.chunks, 100);
      // Stable after 500 ms: the watcher reports it then; a few rescans more for anything else to show.
      await sleep(QUIET_MS);
      const published = ingestedFor(key);
      const rejected = events.rejected((event) => event.source.key === key);
      console.log(
        `a file written during rescans: ${published.length} article(s) published ` +
          JSON.stringify(published.map((event) => `${event.text.length} chars`)) +
          `, ${rejected.length} rejection(s) ` +
          JSON.stringify(
            rejected.map(
              (event) => `${event.reason.code} (${event.source.sizeBytes} bytes) kept at ${event.keptAt}`,
            ),
          ),
      );
      expect(rejected).toEqual([]);
      expect(published.map((event) => event.id)).toEqual([slow.id]);
    });
  });
});
