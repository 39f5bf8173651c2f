/**
 * The ingest ledger's statements against a real Postgres (its own database, migrated as the service
 * does): a claim that records and takes an object version in one statement, leases, retries, and the
 * completion that remembers the published content in the same statement.
 */
import { type DataSource } from 'typeorm';

import { ensureDatabaseExists, openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';
import { type ScratchDatabase, scratchDatabase } from '@newsflow/database/testing';

import { INGESTION_SCHEMA } from './app/ingestion.config';
import { IngestLedgerRepository } from './app/ledger/ingest-ledger.repository';
import { INGESTION_MIGRATIONS } from './app/migrations';
import { requireEnv } from './testing/environment';

requireEnv(['DATABASE_URL']);

const LEASE_SECONDS = 300;

describe('ingest ledger (Postgres)', () => {
  let scratch: ScratchDatabase;
  let dataSource: DataSource;
  let ledger: IngestLedgerRepository;
  let serial = 0;

  /** A version nobody has seen yet. */
  const version = () => ({
    bucket: 'ledger-spec',
    key: `k-${++serial}.txt`,
    etag: `e-${serial}`,
    sizeBytes: 42,
    firstSeenAt: new Date('2024-05-01T10:00:00Z'),
  });

  const row = async (object: { key: string; etag: string }) => {
    const [found]: { status: string; attempts: number; lease_until: Date | null; first_seen_at: Date }[] =
      await dataSource.query(
        `SELECT status, attempts, lease_until, first_seen_at FROM ingestion.objects
         WHERE bucket = 'ledger-spec' AND key = $1 AND etag = $2`,
        [object.key, object.etag],
      );
    return found;
  };

  const open = () =>
    openServiceDatabase(
      serviceDataSourceOptions({
        url: scratch.urlFor(scratch.name),
        schema: INGESTION_SCHEMA,
        entities: [],
        migrations: INGESTION_MIGRATIONS,
        poolSize: 4,
        applicationName: 'newsflow-ingest-ledger-int-spec',
      }),
      INGESTION_SCHEMA,
    );

  beforeAll(async () => {
    scratch = scratchDatabase('ingest_ledger');
    await ensureDatabaseExists(scratch.urlFor(scratch.name));
    dataSource = await open();
    ledger = new IngestLedgerRepository(dataSource);
  }, 60_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await scratch?.admin(`DROP DATABASE IF EXISTS "${scratch.name}" WITH (FORCE)`);
  }, 60_000);

  it('records and claims a new version in one statement, then refuses it while the lease holds', async () => {
    const object = version();
    const claim = await ledger.claim(object, LEASE_SECONDS);
    expect(claim).toEqual({ ...object, attempts: 1, firstSeenAt: object.firstSeenAt });
    expect(await row(object)).toMatchObject({ status: 'processing', attempts: 1 });
    expect((await row(object))?.lease_until?.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(await ledger.claim({ ...object, firstSeenAt: new Date() }, LEASE_SECONDS)).toBeNull();
    expect(await row(object)).toMatchObject({ status: 'processing', attempts: 1 });
  });

  it('gives a version to exactly one of many simultaneous claims, from several instances', async () => {
    const object = version();
    // Each instance merges its own claims into one statement; the four statements race in Postgres.
    const instances = Array.from({ length: 4 }, () => new IngestLedgerRepository(dataSource));
    const claims = await Promise.all(
      instances.flatMap((instance) => [
        instance.claim(object, LEASE_SECONDS),
        instance.claim(object, LEASE_SECONDS),
      ]),
    );
    expect(claims.filter((claim) => claim !== null)).toHaveLength(1);
    expect(await row(object)).toMatchObject({ attempts: 1 });
  });

  it('claims a released version again once its retry is due, counting attempts and keeping first_seen_at', async () => {
    const object = version();
    await ledger.claim(object, LEASE_SECONDS);
    await ledger.release(object, { error: 'broker down', retryInSeconds: 300 });
    expect(await ledger.claim(object, LEASE_SECONDS)).toBeNull();
    await ledger.release(object, { error: 'broker down', retryInSeconds: 0 });
    const due = await ledger.due('ledger-spec', 1_000);
    expect(due.map((found) => found.key)).toContain(object.key);
    const retry = await ledger.claim({ ...object, firstSeenAt: new Date() }, LEASE_SECONDS);
    expect(retry).toMatchObject({ attempts: 2, firstSeenAt: object.firstSeenAt });
  });

  it('takes over a version whose worker died once the lease has run out', async () => {
    const object = version();
    await ledger.claim(object, 0);
    const takeover = await ledger.claim(object, LEASE_SECONDS);
    expect(takeover).toMatchObject({ attempts: 2 });
  });

  it('completes a version and remembers its published content in the same statement; done is never claimed again', async () => {
    const object = version();
    await ledger.claim(object, LEASE_SECONDS);
    const hash = `hash-${object.key}`;
    await ledger.complete(
      object,
      { status: 'done', articleIds: ['a1'], articlesPublished: 1, duplicates: 0, recordsRejected: 0 },
      [{ contentHash: hash, articleId: 'a1', bucket: object.bucket, key: object.key }],
    );
    expect(await row(object)).toMatchObject({ status: 'done', lease_until: null });
    expect([...(await ledger.publishedContent([hash, 'unknown']))]).toEqual([hash]);
    expect(await ledger.claim(object, LEASE_SECONDS)).toBeNull();
    expect([...(await ledger.finishedVersions('ledger-spec', [object]))]).toEqual([
      `${object.key}\u0000${object.etag}`,
    ]);
    // Completing with nothing to remember, and remembering content already known, both work.
    const rejected = version();
    await ledger.claim(rejected, LEASE_SECONDS);
    await ledger.complete(rejected, {
      status: 'rejected',
      articleIds: [],
      articlesPublished: 0,
      duplicates: 0,
      recordsRejected: 0,
      rejectionCode: 'EMPTY',
    });
    await ledger.rememberPublished([{ contentHash: hash, articleId: 'a2', bucket: 'b', key: 'k' }]);
    expect(await row(rejected)).toMatchObject({ status: 'rejected' });
  });

  it('merges the claims, duplicate checks and completions of files in flight into one statement each', async () => {
    const objects = Array.from({ length: 12 }, () => version());
    const statements = countingStatements(dataSource);
    const counted = new IngestLedgerRepository(statements.dataSource);

    const claims = await Promise.all(objects.map((object) => counted.claim(object, LEASE_SECONDS)));
    expect(claims.map((claim) => claim?.attempts)).toEqual(objects.map(() => 1));
    expect(claims.map((claim) => claim?.key)).toEqual(objects.map((object) => object.key));
    const known = await Promise.all(
      objects.map((object, index) =>
        counted.publishedContent(
          index === 0 ? [`hash-${object.key}`, 'never-published'] : [`hash-${object.key}`],
        ),
      ),
    );
    expect(known.map((hashes) => hashes.size)).toEqual(objects.map(() => 0));
    await Promise.all(
      objects.map((object, index) =>
        counted.complete(
          object,
          {
            status: 'done',
            articleIds: [`a-${index}`, `b-${index}`],
            articlesPublished: 2,
            duplicates: index,
            recordsRejected: 0,
          },
          [
            {
              contentHash: `hash-${object.key}`,
              articleId: `a-${index}`,
              bucket: object.bucket,
              key: object.key,
            },
          ],
        ),
      ),
    );

    expect(statements.count).toBe(3);
    const stored: { key: string; status: string; article_ids: string[]; duplicates: number }[] =
      await dataSource.query(
        `SELECT key, status, article_ids, duplicates FROM ingestion.objects WHERE key = ANY($1) ORDER BY duplicates`,
        [objects.map((object) => object.key)],
      );
    expect(stored).toEqual(
      objects.map((object, index) => ({
        key: object.key,
        status: 'done',
        article_ids: [`a-${index}`, `b-${index}`],
        duplicates: index,
      })),
    );
    // Merged duplicate checks answer each caller with its own known hashes.
    const [first, second] = objects as [(typeof objects)[0], (typeof objects)[0]];
    const remembered = await Promise.all([
      counted.publishedContent([`hash-${first.key}`, 'never-published']),
      counted.publishedContent([`hash-${second.key}`]),
      counted.publishedContent(objects.map((object) => `hash-${object.key}`)),
    ]);
    expect(statements.count).toBe(4);
    expect(remembered.map((hashes) => [...hashes])).toEqual([
      [`hash-${first.key}`],
      [`hash-${second.key}`],
      objects.map((object) => `hash-${object.key}`),
    ]);
  });

  it('gives a version claimed twice in one merged statement to the first caller only', async () => {
    const object = version();
    const statements = countingStatements(dataSource);
    const counted = new IngestLedgerRepository(statements.dataSource);
    const [first, second] = await Promise.all([
      counted.claim(object, LEASE_SECONDS),
      counted.claim({ ...object, firstSeenAt: new Date() }, LEASE_SECONDS),
    ]);
    expect(statements.count).toBe(1);
    expect(first).toMatchObject({ attempts: 1, firstSeenAt: object.firstSeenAt });
    expect(second).toBeNull();
  });

  it('a completion that fails in a merged statement fails alone; the others are written', async () => {
    const [good, bad] = [version(), version()];
    await ledger.claim(good, LEASE_SECONDS);
    await ledger.claim(bad, LEASE_SECONDS);
    const outcomes = await Promise.allSettled([
      ledger.complete(good, {
        status: 'done',
        articleIds: [],
        articlesPublished: 0,
        duplicates: 0,
        recordsRejected: 0,
      }),
      // Refused by the table's CHECK constraint: the whole merged statement fails, then each runs alone.
      ledger.complete(bad, {
        status: 'lost' as 'done',
        articleIds: [],
        articlesPublished: 0,
        duplicates: 0,
        recordsRejected: 0,
      }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    expect(await row(good)).toMatchObject({ status: 'done' });
    expect(await row(bad)).toMatchObject({ status: 'processing' });
  });

  it('writes the objects table twice per single-article file: one insert, one update', async () => {
    // One connection, so that flushing its statistics shows every write (they are kept per backend).
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    const single = { query: (sql: string, params?: unknown[]) => runner.query(sql, params) };
    const counted = new IngestLedgerRepository(single as DataSource);
    const before = await tupleCounts(single);
    for (let index = 0; index < 20; index++) {
      const object = version();
      await counted.claim(object, LEASE_SECONDS);
      await counted.complete(
        object,
        { status: 'done', articleIds: ['x'], articlesPublished: 1, duplicates: 0, recordsRejected: 0 },
        [{ contentHash: `count-${object.key}`, articleId: 'x', bucket: object.bucket, key: object.key }],
      );
    }
    const after = await tupleCounts(single);
    await runner.release();
    expect({ inserted: after.inserted - before.inserted, updated: after.updated - before.updated }).toEqual({
      inserted: 20,
      updated: 20,
    });
  });
});

/** Rows inserted and updated in ingestion.objects so far (this connection's statistics flushed first). */
async function tupleCounts(
  connection: Pick<DataSource, 'query'>,
): Promise<{ inserted: number; updated: number }> {
  await connection.query(`SELECT pg_stat_force_next_flush()`);
  const [counts]: { inserted: string; updated: string }[] = await connection.query(
    `SELECT n_tup_ins AS inserted, n_tup_upd AS updated FROM pg_stat_user_tables
     WHERE schemaname = 'ingestion' AND relname = 'objects'`,
  );
  return { inserted: Number(counts?.inserted ?? 0), updated: Number(counts?.updated ?? 0) };
}

/** A data source whose `query` counts the statements sent through it. */
function countingStatements(dataSource: DataSource): { dataSource: DataSource; count: number } {
  const counter = {
    count: 0,
    dataSource: {
      query: (sql: string, parameters?: unknown[]) => {
        counter.count += 1;
        return dataSource.query(sql, parameters);
      },
    } as DataSource,
  };
  return counter;
}
