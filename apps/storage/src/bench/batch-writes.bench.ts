/**
 * Time to store 500 enriched articles (about 15 entities each) with one saveEnrichedBatch call against
 * 500 saveEnriched calls, and how the bulk statement itself compares with the alternatives (chunked
 * multi-row VALUES, jsonb_to_recordset). Prints numbers; asserts nothing. Needs DATABASE_URL; works in
 * a scratch database of its own, dropped at the end:
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsflow npx ts-node --transpile-only \
 *     -r ./tools/ts-node/register-paths.cjs --project apps/storage/tsconfig.json \
 *     apps/storage/src/bench/batch-writes.bench.ts [--rounds 5]
 */
import 'reflect-metadata';

import { performance } from 'node:perf_hooks';

import { type ArticleEnrichedV1, type Entity } from '@newsflow/contracts';

import { ARTICLE_ENTITY_COLUMNS, type ArticleEntityRow, childRowsOf } from '../app/persistence/article-rows';
import { unnestInsert } from '../app/persistence/unnest-insert';
import { type StorageTestDatabase, openStorageTestDatabase } from '../app/testing/storage-database';
import { enriched, entity, richEnrichment, sampleArticle } from '../app/testing/storage-events';

const BATCH = 500;
const ENTITIES_PER_ARTICLE = 15;
const ENTITY_TYPES: Entity['type'][] = ['PERSON', 'ORGANIZATION', 'LOCATION', 'MISC'];

/** Articles like enrichment v2's output: entities drawn from a shared vocabulary of 3,000. */
function newsBatch(size: number): ArticleEnrichedV1[] {
  return Array.from({ length: size }, (_, index) => {
    const article = sampleArticle({ publishedAt: `2022-02-${String(1 + (index % 28)).padStart(2, '0')}` });
    const entities = Array.from({ length: ENTITIES_PER_ARTICLE }, (_, n) => {
      const word = Math.floor(Math.random() * 3_000);
      const type = ENTITY_TYPES[word % ENTITY_TYPES.length] as Entity['type'];
      return entity(`Entity ${word}`, type, {
        mentions: 1 + (n % 4),
        salience: Math.round((1 - n / ENTITIES_PER_ARTICLE) * 1000) / 1000,
        aliases: n % 3 === 0 ? [`E${word}`] : undefined,
        place:
          type === 'LOCATION' ? { countryCode: 'UA', lat: 50.45, lon: 30.52, featureType: 'PPL' } : undefined,
      });
    });
    // Duplicate names in one article are merged by the enricher; keep the sample realistic.
    const distinct = [...new Map(entities.map((item) => [`${item.type}:${item.name}`, item])).values()];
    return enriched(
      article,
      richEnrichment({
        entities: distinct,
        keywords: Array.from({ length: 10 }, (_, n) => ({
          text: `keyword ${index} ${n}`,
          score: 1 / (n + 1),
        })),
      }),
    );
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

async function batchAgainstSingleCalls(db: StorageTestDatabase, rounds: number) {
  const batchMs: number[] = [];
  const singleMs: number[] = [];
  const replayMs: number[] = [];
  // Warm the pool and Postgres's caches.
  await db.articles.saveEnrichedBatch(newsBatch(50));
  for (const item of newsBatch(50)) await db.articles.saveEnriched(item.article, item.enrichment);

  for (let round = 0; round < rounds; round++) {
    const forBatch = newsBatch(BATCH);
    const forSingles = newsBatch(BATCH);
    batchMs.push(await timed(() => db.articles.saveEnrichedBatch(forBatch)));
    singleMs.push(
      await timed(async () => {
        for (const item of forSingles) await db.articles.saveEnriched(item.article, item.enrichment);
      }),
    );
    replayMs.push(await timed(() => db.articles.saveEnrichedBatch(forBatch)));
  }
  return { batchMs, singleMs, replayMs };
}

/** The same 7,500 entity links into a table without constraints, by each bulk technique. */
async function insertStrategies(db: StorageTestDatabase, rounds: number) {
  const links = childRowsOf(newsBatch(BATCH)).links;
  await db.dataSource.query(`CREATE TABLE IF NOT EXISTS public.bench_links (LIKE storage.article_entities)`);
  const strategies: Record<string, (rows: ArticleEntityRow[]) => Promise<void>> = {
    'unnest arrays (chosen)': async (rows) => {
      const { sql, parameters } = unnestInsert('public.bench_links', ARTICLE_ENTITY_COLUMNS, rows);
      await db.dataSource.query(sql, parameters);
    },
    'multi-row VALUES, chunked under 65,535 parameters': async (rows) => {
      const perRow = ARTICLE_ENTITY_COLUMNS.length;
      const chunk = Math.floor(65_535 / perRow);
      for (let start = 0; start < rows.length; start += chunk) {
        const slice = rows.slice(start, start + chunk);
        const values = slice.map(
          (_, row) =>
            `(${ARTICLE_ENTITY_COLUMNS.map((column, index) => `$${row * perRow + index + 1}::${column.type}`).join(', ')})`,
        );
        await db.dataSource.query(
          `INSERT INTO public.bench_links (${ARTICLE_ENTITY_COLUMNS.map((column) => column.name).join(', ')})
           VALUES ${values.join(', ')}`,
          slice.flatMap((row) => ARTICLE_ENTITY_COLUMNS.map((column) => column.value(row))),
        );
      }
    },
    'jsonb_to_recordset of one JSON document': async (rows) => {
      await db.dataSource.query(
        `INSERT INTO public.bench_links (article_id, entity_id, published_at, mentions, salience, offsets, aliases)
         SELECT * FROM jsonb_to_recordset($1::jsonb)
           AS r(article_id text, entity_id text, published_at timestamptz, mentions integer,
                salience double precision, offsets jsonb, aliases jsonb)`,
        [
          JSON.stringify(
            rows.map((row) => ({
              article_id: row.articleId,
              entity_id: row.entityId,
              published_at: `${row.publishedAt}T00:00:00Z`,
              mentions: row.mentions,
              salience: row.salience,
              offsets: row.offsets,
              aliases: row.aliases,
            })),
          ),
        ],
      );
    },
  };
  const results: Record<string, number[]> = {};
  for (let round = 0; round < rounds + 1; round++) {
    for (const [name, insert] of Object.entries(strategies)) {
      await db.dataSource.query('TRUNCATE public.bench_links');
      const ms = await timed(() => insert(links));
      // The first round warms up.
      if (round > 0) (results[name] ??= []).push(ms);
    }
  }
  return { rows: links.length, results };
}

async function main(): Promise<void> {
  const roundsFlag = process.argv.indexOf('--rounds');
  const rounds = roundsFlag > 0 ? Number(process.argv[roundsFlag + 1]) : 5;
  const db = await openStorageTestDatabase('storage_bench');
  try {
    const write = (line = '') => process.stdout.write(`${line}\n`);
    const { batchMs, singleMs, replayMs } = await batchAgainstSingleCalls(db, rounds);
    const format = (values: number[]) =>
      `${median(values).toFixed(0)} ms (runs: ${values.map((v) => v.toFixed(0)).join(', ')})`;
    write(
      `${BATCH} enriched articles, ~${ENTITIES_PER_ARTICLE} entities, 10 keywords, 1 quote, 2 amounts each; median of ${rounds}`,
    );
    write(`  one saveEnrichedBatch call:          ${format(batchMs)}`);
    write(`  ${BATCH} saveEnriched calls:             ${format(singleMs)}`);
    write(`  identical replay of the batch:       ${format(replayMs)}`);
    write(`  speed-up: ${(median(singleMs) / median(batchMs)).toFixed(1)}x`);
    write();
    const strategies = await insertStrategies(db, rounds);
    write(`Bulk insert of ${strategies.rows} entity links (no constraints); median of ${rounds}`);
    for (const [name, values] of Object.entries(strategies.results))
      write(`  ${name.padEnd(52)} ${format(values)}`);
  } finally {
    await db.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
