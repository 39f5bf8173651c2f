/**
 * The ingestion service (from `dist/`) on S3 inboxes under stress of its process model: a SIGKILL in
 * the middle of a backlog and a restart, and two instances on one bucket sharing one ledger. Own
 * database, buckets, consumer groups and bucket-events topic; only events of this suite's buckets count.
 */
import { Topic } from '@newsflow/contracts';

import { ndjsonRecord, textArticle } from './testing/articles';
import { eventually, freePort, requireEnv, runId, sleep } from './testing/environment';
import { IngestionProcess } from './testing/ingestion-process';
import { KafkaCollector, duplicatesOf, fromBuckets, testKafka } from './testing/kafka-collector';
import { TestBucket } from './testing/test-bucket';
import { TestDatabase } from './testing/test-database';

const env = requireEnv([
  'KAFKA_BROKERS',
  'DATABASE_URL',
  'S3_ENDPOINT',
  'S3_REGION',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
]);
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const run = runId();
const PREFIX = 'incoming/';
const pad = (n: number) => String(n).padStart(4, '0');

describe('ingestion instances on S3: crash and restart, two instances on one bucket', () => {
  const database = new TestDatabase('ingest_inst');
  const crashBucket = new TestBucket('crash');
  const sharedBucket = new TestBucket('pair');
  const kafka = testKafka(env.KAFKA_BROKERS, `ingestion-int-inst-${run}`);
  const eventsTopic = `test.bucket-events.${run}`;
  const services: IngestionProcess[] = [];
  let events: KafkaCollector;

  async function startIngestion(
    label: string,
    bucket: TestBucket,
    extra: Record<string, string>,
  ): Promise<IngestionProcess> {
    const service = new IngestionProcess(label, await freePort(), {
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      DATABASE_URL: database.url,
      INBOX_URL: `s3://${bucket.name}/${PREFIX}`,
      INGEST_BUCKET_EVENTS_TOPIC: eventsTopic,
      KAFKA_AUTO_OFFSET_RESET: 'latest',
      ...extra,
    });
    services.push(service);
    service.start();
    return service;
  }

  beforeAll(async () => {
    await Promise.all([crashBucket.create(), sharedBucket.create()]);
    events = await KafkaCollector.start(
      kafka,
      [Topic.ArticleIngestedV1, Topic.ArticleRejectedV1],
      fromBuckets(new Set([crashBucket.name, sharedBucket.name])),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(services.map((service) => service.stop()));
    await events?.stop();
    const admin = kafka.admin();
    await admin.connect();
    try {
      if ((await admin.listTopics()).includes(eventsTopic))
        await admin.deleteTopics({ topics: [eventsTopic] });
    } finally {
      await admin.disconnect();
    }
    for (const bucket of [crashBucket, sharedBucket]) {
      const problem = await bucket.destroy();
      if (problem) console.warn(problem);
    }
    await database.drop();
  }, 60_000);

  it('scenario 5: SIGKILL while publishing a backlog (3 NDJSON objects of 1,000 records + 300 small articles), then a restart: no article missing, every object done once', async () => {
    // Listed (and so queued) in key order: the three bulk files first, then the small articles. Each
    // bulk file is published in two batches of 500, so a kill can land between its batches.
    const feeds = [1, 2, 3].map((feed) => {
      const records = Array.from({ length: 1_000 }, (_, index) =>
        ndjsonRecord(`${run} feed ${feed} #${index + 1}`),
      );
      return { key: `${PREFIX}backlog/0-feed-${feed}.ndjson`, records };
    });
    const articles = Array.from({ length: 300 }, (_, index) => textArticle(`${run} backlog ${index + 1}`));
    const put = await crashBucket.putMany([
      ...feeds.map((feed) => ({
        key: feed.key,
        body: `${feed.records.map((record) => record.line).join('\n')}\n`,
      })),
      ...articles.map((article, index) => ({
        key: `${PREFIX}backlog/a-${pad(index + 1)}.txt`,
        body: article.content,
      })),
    ]);
    /** Every article id of the backlog, with the key it comes from. */
    const expected = new Map<string, string>([
      ...feeds.flatMap((feed) => feed.records.map((record) => [record.id, feed.key] as [string, string])),
      ...articles.map(
        (article, index) => [article.id, put[index + feeds.length]?.key ?? ''] as [string, string],
      ),
    ]);
    const objects = put.length;
    const total = expected.size;
    expect({ objects, total }).toEqual({ objects: 303, total: 3_300 });

    const ingested = () => events.ingested((event) => event.source.bucket === crashBucket.name);
    const settings = {
      KAFKA_GROUP_ID: `ingestion-int-crash-${run}`,
      INBOX_RESCAN_INTERVAL_MS: '1000',
      // A crashed attempt's claim runs out after this; production keeps the default of 300 s.
      INGEST_LEASE_SECONDS: '5',
    };

    const first = await startIngestion('crash-1', crashBucket, settings);
    const started = Date.now();
    await eventually(
      () =>
        `the first articles before the kill (have ${ingested().length}, read ${events.received})\n${first.logs(20)}`,
      () => {
        if (!first.running) throw new Error(`crash-1 exited:\n${first.logs()}`);
        return ingested().length >= 500 ? true : undefined;
      },
      60_000,
      10,
    );
    await first.kill();
    const killedAfter = Date.now() - started;
    const seenAtKill = ingested().length;
    const ledgerAtKill = await database.ledger(crashBucket.name);
    await sleep(1_000); // whatever was still on its way to this consumer
    const publishedBeforeKill = ingested().length;
    const count = (status: string) => ledgerAtKill.filter((row) => row.status === status).length;
    console.log(
      `scenario 5: SIGKILL ${killedAfter} ms after the start; ${seenAtKill} articles seen at the kill, ` +
        `${publishedBeforeKill} of ${total} published before it; ledger: ${count('done')} done, ` +
        `${count('processing')} processing (${ledgerAtKill
          .filter((row) => row.status === 'processing')
          .map((row) => row.key)
          .join(', ')}), ` +
        `${count('pending')} pending, ${objects - ledgerAtKill.length} not registered yet`,
    );
    // Really mid-backlog: some articles published, not all; objects cut off in the middle.
    expect(publishedBeforeKill).toBeGreaterThan(0);
    expect(publishedBeforeKill).toBeLessThan(total);
    expect(count('done')).toBeLessThan(objects);
    expect(count('processing')).toBeGreaterThan(0);

    const second = await startIngestion('crash-2', crashBucket, settings);
    await second.waitUntilReady();
    const restarted = Date.now();
    await eventually(
      async () => {
        const rows = await database.ledger(crashBucket.name);
        return `every object done after the restart (${rows.filter((row) => row.status === 'done').length} of ${objects} done)`;
      },
      async () => {
        const rows = await database.ledger(crashBucket.name);
        return rows.length === objects && rows.every((row) => row.status === 'done') ? true : undefined;
      },
      60_000,
    );
    await sleep(1_500);
    const all = ingested();
    console.log(
      `scenario 5: backlog drained ${Date.now() - restarted} ms after the restart (crashed claims wait for their 5 s lease)`,
    );

    // No article missing: every article id was published at least once, from its own object.
    const missing = [...expected].filter(
      ([id, key]) => !all.some((event) => event.id === id && event.source.key === key),
    );
    expect(missing).toEqual([]);
    const { unique, extra, repeated } = duplicatesOf(all.map((event) => event.id));
    expect(unique).toBe(total);
    console.log(
      `scenario 5: ${all.length} ingested events for ${total} articles: ${extra} duplicate(s) caused by the crash` +
        (repeated.length > 0 ? ` (${repeated.length} article(s) republished)` : ''),
    );

    // Every object version is one ledger row, done, with its attempts recorded; objects whose attempt the
    // kill cut short were claimed again once their lease ran out.
    const rows = await database.ledger(crashBucket.name);
    expect(rows).toHaveLength(objects);
    expect(new Set(rows.map((row) => row.key))).toEqual(new Set(put.map((object) => object.key)));
    for (const row of rows) {
      expect({
        key: row.key,
        status: row.status,
        completed: row.completed_at !== null,
        etag: row.etag,
      }).toEqual({
        key: row.key,
        status: 'done',
        completed: true,
        etag: put.find((object) => object.key === row.key)?.etag,
      });
      expect(row.attempts).toBeGreaterThanOrEqual(1);
      expect(row.attempts).toBeLessThanOrEqual(2);
    }
    const retried = rows.filter((row) => row.attempts > 1);
    expect(retried.length).toBeGreaterThan(0);
    console.log(
      `scenario 5: ${retried.length} object(s) claimed a second time (in flight at the kill): ` +
        JSON.stringify(
          retried.map((row) => ({
            key: row.key,
            published: row.articles_published,
            duplicates: row.duplicates,
          })),
        ),
    );
    // Each object was completed by exactly one attempt: no key is logged 'object ingested' twice.
    const completions = [...first.ingestedKeys(crashBucket.name), ...second.ingestedKeys(crashBucket.name)];
    expect(duplicatesOf(completions).repeated).toEqual([]);
    expect(await second.stop()).toBe(0);
  });

  it('scenario 6: two instances on one bucket and one ledger: 200 objects, each processed by exactly one instance, each article published once', async () => {
    const settings = {
      KAFKA_GROUP_ID: `ingestion-int-pair-${run}`,
      INBOX_RESCAN_INTERVAL_MS: '1000',
    };
    const [one, two] = [
      await startIngestion('pair-1', sharedBucket, settings),
      await startIngestion('pair-2', sharedBucket, settings),
    ] as const;
    await Promise.all([one.waitUntilReady(), two.waitUntilReady()]);

    const articles = Array.from({ length: 200 }, (_, index) => textArticle(`${run} shared ${index + 1}`));
    const started = Date.now();
    const put = await sharedBucket.putMany(
      articles.map((article, index) => ({
        key: `${PREFIX}shared/s-${pad(index + 1)}.txt`,
        body: article.content,
      })),
    );
    await eventually(
      async () => {
        const rows = await database.ledger(sharedBucket.name);
        return `200 objects done (${rows.filter((row) => row.status === 'done').length} done)`;
      },
      async () => {
        const rows = await database.ledger(sharedBucket.name);
        return rows.length === 200 && rows.every((row) => row.status === 'done') ? true : undefined;
      },
      60_000,
    );
    console.log(
      `scenario 6: 200 objects done by two instances ${Date.now() - started} ms after the first put`,
    );
    // Both keep rescanning every second; give them a few rounds to do something wrong.
    await sleep(3_000);

    const rows = await database.ledger(sharedBucket.name);
    expect(rows.map((row) => [row.key, row.status, row.attempts])).toEqual(
      put.map((object) => [object.key, 'done', 1]).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    );
    const published = events.ingested((event) => event.source.bucket === sharedBucket.name);
    const { unique, extra, repeated } = duplicatesOf(published.map((event) => event.id));
    expect({ unique, extra, repeated }).toEqual({ unique: 200, extra: 0, repeated: [] });
    expect(new Set(published.map((event) => event.id))).toEqual(
      new Set(articles.map((article) => article.id)),
    );

    const byOne = one.ingestedKeys(sharedBucket.name);
    const byTwo = two.ingestedKeys(sharedBucket.name);
    console.log(`scenario 6: instance 1 ingested ${byOne.length} objects, instance 2 ${byTwo.length}`);
    const overlap = byOne.filter((key) => byTwo.includes(key));
    expect(overlap).toEqual([]);
    expect(new Set([...byOne, ...byTwo])).toEqual(new Set(put.map((object) => object.key)));
    expect(byOne.length + byTwo.length).toBe(200);
    expect([await one.stop(), await two.stop()]).toEqual([0, 0]);
  });
});
