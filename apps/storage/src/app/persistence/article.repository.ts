import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';

import { type ArticleEnrichedV1, type ArticleIngestedV1, type EnrichmentV1 } from '@newsflow/contracts';

import { ArticleEntity } from './article.entity';
import {
  AMOUNT_COLUMNS,
  ARTICLE_ENTITY_COLUMNS,
  ENRICHED_ARTICLE_COLUMNS,
  ENRICHMENT_COLUMN_NAMES,
  ENRICHMENT_UPDATE_COLUMNS,
  ENTITY_COLUMNS,
  type EntityRow,
  INGESTED_ARTICLE_COLUMNS,
  KEYWORD_COLUMNS,
  NEAR_DUPLICATE_COLUMNS,
  QUOTE_COLUMNS,
  childRowsOf,
  firstPerArticle,
  latestPerArticle,
} from './article-rows';
import { type BulkColumn, UNNEST_ALIAS, unnestInsert, unnestRows } from './unnest-insert';

/** Tables that hold an article's enrichment, replaced as a whole when a newer enrichment arrives. */
const ENRICHMENT_CHILD_TABLES = [
  'storage.article_entities',
  'storage.article_keywords',
  'storage.article_quotes',
  'storage.article_amounts',
  'storage.near_duplicates',
] as const;

const ENTITY_PLACE_COLUMNS = ENTITY_COLUMNS.filter((column) =>
  ['id', 'country_code', 'lat', 'lon', 'feature_type'].includes(column.name),
);

/**
 * Whether the enrichment in `proposed` replaces the one in `stored`: none stored yet, an older version,
 * or the same version with a different result (the later one wins). An identical one writes nothing.
 */
const ENRICHMENT_IS_NEWER = (stored: string, proposed: string) =>
  `(${stored}.enrichment_version IS NULL
    OR ${stored}.enrichment_version < ${proposed}.enrichment_version
    OR (${stored}.enrichment_version = ${proposed}.enrichment_version
        AND ${stored}.enrichment IS DISTINCT FROM ${proposed}.enrichment))`;

export interface EnrichedBatchResult {
  /** Articles whose enrichment was written; the others already had this or a newer version. */
  written: string[];
}

export interface ArticleNotified {
  articleId: string;
  notifiedAt: string;
}

/**
 * The only writer of schema `storage`. Every write is idempotent: replaying a topic from the start
 * leaves the same rows, and an identical replay does not even rewrite them (updated_at included).
 * Batches are written in one transaction with one statement per table (see unnestInsert).
 */
@Injectable()
export class ArticleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores ingested articles. The article's content decides its id, so a second ingestion of the same
   * article (a replay, a file dropped twice) changes nothing; an enriched event that came first already
   * wrote the same content.
   */
  async saveIngestedBatch(articles: readonly ArticleIngestedV1[]): Promise<void> {
    const rows = firstPerArticle(articles);
    if (rows.length === 0) return;
    // Rows already stored are left out before the insert: for a proposed row Postgres computes the
    // generated full-text vector before it finds the conflict, which made a replayed batch cost as much
    // as a new one. ON CONFLICT still covers a row inserted concurrently (an enriched event's).
    const insert = unnestInsert(
      'storage.articles',
      INGESTED_ARTICLE_COLUMNS,
      rows,
      `WHERE NOT EXISTS (SELECT 1 FROM storage.articles a WHERE a.id = ${UNNEST_ALIAS}.id)
       ON CONFLICT (id) DO NOTHING`,
    );
    await this.dataSource.query(insert.sql, insert.parameters);
  }

  /**
   * Stores enrichments, creating articles whose ingested event has not arrived yet. An older
   * enrichment version never overwrites a newer one (nor its entities, keywords, quotes, amounts and
   * near-duplicate link); an identical replay leaves every row untouched. One transaction.
   */
  async saveEnrichedBatch(items: readonly ArticleEnrichedV1[]): Promise<EnrichedBatchResult> {
    const latest = latestPerArticle(items);
    if (latest.length === 0) return { written: [] };
    return this.dataSource.transaction(async (manager) => {
      const written = await this.writeEnrichment(manager, latest);
      if (written.length > 0) {
        const writtenIds = new Set(written);
        await this.replaceChildRows(
          manager,
          written,
          latest.filter((item) => writtenIds.has(item.article.id)),
        );
      }
      return { written };
    });
  }

  /** One message's worth of saveIngestedBatch, for per-message consumers. */
  async saveIngested(article: ArticleIngestedV1): Promise<void> {
    await this.saveIngestedBatch([article]);
  }

  /** One message's worth of saveEnrichedBatch, for per-message consumers. */
  async saveEnriched(article: ArticleIngestedV1, enrichment: EnrichmentV1): Promise<void> {
    await this.saveEnrichedBatch([{ article, enrichment }]);
  }

  /**
   * Records when articles were notified about; the earliest time is kept, so replays change nothing.
   * Returns how many rows changed. A notification may come before its article is stored: it is kept.
   */
  async markNotified(items: readonly ArticleNotified[]): Promise<number> {
    if (items.length === 0) return 0;
    // Rows in id order, so that concurrent writers lock them in the same order.
    const rows = (await this.dataSource.query(
      `INSERT INTO storage.article_notifications AS n (article_id, notified_at)
       SELECT id, min(at) FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
        GROUP BY id ORDER BY id
       ON CONFLICT (article_id) DO UPDATE SET notified_at = EXCLUDED.notified_at
        WHERE n.notified_at > EXCLUDED.notified_at
       RETURNING article_id`,
      [items.map((item) => item.articleId), items.map((item) => item.notifiedAt)],
    )) as unknown[];
    return rows.length;
  }

  async findById(id: string): Promise<ArticleEntity | null> {
    return this.dataSource.getRepository(ArticleEntity).findOneBy({ id });
  }

  /**
   * Writes the enrichment into the article rows; returns the ids whose enrichment was written. Stored
   * articles get a plain version-guarded UPDATE of the enrichment columns: an upsert would send the
   * whole article and compute its full-text vector for every proposed row, only to discard both on the
   * conflict. Articles not stored yet (their ingested event has not come) are then upserted with the
   * same guard, which also covers one whose ingested event is inserted concurrently: the upsert waits
   * for that insert and updates the row it wrote.
   */
  private async writeEnrichment(
    manager: EntityManager,
    items: readonly ArticleEnrichedV1[],
  ): Promise<string[]> {
    const { updated, missing } = await this.updateStoredArticles(manager, items);
    if (missing.size === 0) return updated;
    const inserted = await this.upsertEnrichedArticles(
      manager,
      items.filter((item) => missing.has(item.article.id)),
    );
    return [...updated, ...inserted].sort();
  }

  /** The version-guarded UPDATE of stored articles, and the ids of those not stored (as of its snapshot). */
  private async updateStoredArticles(
    manager: EntityManager,
    items: readonly ArticleEnrichedV1[],
  ): Promise<{ updated: string[]; missing: Set<string> }> {
    const { relation, parameters } = unnestRows(ENRICHMENT_UPDATE_COLUMNS, items);
    const u = UNNEST_ALIAS;
    const set = ENRICHMENT_COLUMN_NAMES.map((name) => `${name} = ${u}.${name}`).join(', ');
    // Rows are locked in id order first: the join's order is the planner's, and two transactions that
    // update the same articles (a replay beside the live topic) must not lock them in opposite orders.
    const rows = (await manager.query(
      `WITH ${u} AS MATERIALIZED (SELECT * FROM ${relation}),
       locked AS (
         SELECT a.id FROM storage.articles a JOIN ${u} ON ${u}.id = a.id
          WHERE ${ENRICHMENT_IS_NEWER('a', u)}
          ORDER BY a.id FOR UPDATE OF a
       ),
       written AS (
         UPDATE storage.articles a SET ${set}, updated_at = now()
           FROM ${u}
          WHERE a.id = ${u}.id AND a.id IN (SELECT id FROM locked) AND ${ENRICHMENT_IS_NEWER('a', u)}
         RETURNING a.id
       )
       SELECT id, true AS written FROM written
       UNION ALL
       SELECT ${u}.id, false FROM ${u}
        WHERE NOT EXISTS (SELECT 1 FROM storage.articles a WHERE a.id = ${u}.id)`,
      parameters,
    )) as { id: string; written: boolean }[];
    return {
      updated: rows.filter((row) => row.written).map((row) => row.id),
      missing: new Set(rows.filter((row) => !row.written).map((row) => row.id)),
    };
  }

  /** Inserts articles with their enrichment, or version-guard-updates them when they exist by now. */
  private async upsertEnrichedArticles(
    manager: EntityManager,
    items: readonly ArticleEnrichedV1[],
  ): Promise<string[]> {
    const set = ENRICHMENT_COLUMN_NAMES.map((name) => `${name} = EXCLUDED.${name}`).join(', ');
    const upsert = unnestInsert(
      'storage.articles',
      ENRICHED_ARTICLE_COLUMNS,
      items,
      `ON CONFLICT (id) DO UPDATE SET ${set}, updated_at = now()
       WHERE ${ENRICHMENT_IS_NEWER('storage.articles', 'EXCLUDED')}
       RETURNING id`,
    );
    const rows = (await manager.query(upsert.sql, upsert.parameters)) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /**
   * No foreign key checks these rows (see ChildRowsUnchecked1765100000000): this is where they are
   * kept consistent. They are written only for `articleIds`, rows this transaction has just inserted or
   * locked, and links only after their entities.
   */
  private async replaceChildRows(
    manager: EntityManager,
    articleIds: readonly string[],
    items: readonly ArticleEnrichedV1[],
  ): Promise<void> {
    // One statement deletes the previous version's rows from every child table.
    const deletes = ENRICHMENT_CHILD_TABLES.map(
      (table, index) => `d${index} AS (DELETE FROM ${table} WHERE article_id = ANY($1::text[]))`,
    );
    await manager.query(`WITH ${deletes.join(', ')} SELECT 1`, [articleIds]);

    const rows = childRowsOf(items);
    await this.upsertEntities(manager, rows.entities);
    await insertAll(manager, 'storage.article_entities', ARTICLE_ENTITY_COLUMNS, rows.links);
    await insertAll(manager, 'storage.article_keywords', KEYWORD_COLUMNS, rows.keywords);
    await insertAll(manager, 'storage.article_quotes', QUOTE_COLUMNS, rows.quotes);
    await insertAll(manager, 'storage.article_amounts', AMOUNT_COLUMNS, rows.amounts);
    await insertAll(manager, 'storage.near_duplicates', NEAR_DUPLICATE_COLUMNS, rows.nearDuplicates);
  }

  /**
   * Entities are shared by every article, so concurrent batches meet on them: DO NOTHING takes no lock
   * on existing rows, and rows come sorted by id so that inserts of new ones cannot deadlock. A place is
   * filled in when an entity was first stored without one, and never changed after that.
   */
  private async upsertEntities(manager: EntityManager, entities: readonly EntityRow[]): Promise<void> {
    await insertAll(manager, 'storage.entities', ENTITY_COLUMNS, entities, 'ON CONFLICT DO NOTHING');
    const placed = entities.filter((entity) => entity.place !== null);
    if (placed.length === 0) return;
    const arrays = ENTITY_PLACE_COLUMNS.map((column, index) => `$${index + 1}::${column.type}[]`);
    // Rows to update are locked in id order first, for the same reason as the inserts.
    await manager.query(
      `WITH place AS (
         SELECT * FROM unnest(${arrays.join(', ')})
           AS p(${ENTITY_PLACE_COLUMNS.map((column) => column.name).join(', ')})
       ), missing AS (
         SELECT e.id FROM storage.entities e JOIN place ON place.id = e.id
          WHERE e.country_code IS NULL ORDER BY e.id FOR UPDATE OF e
       )
       UPDATE storage.entities e
          SET country_code = place.country_code, lat = place.lat, lon = place.lon,
              feature_type = place.feature_type
         FROM place
        WHERE e.id = place.id AND e.id IN (SELECT id FROM missing) AND e.country_code IS NULL`,
      ENTITY_PLACE_COLUMNS.map((column) => placed.map((entity) => column.value(entity))),
    );
  }
}

async function insertAll<R>(
  manager: EntityManager,
  table: string,
  columns: readonly BulkColumn<R>[],
  rows: readonly R[],
  onConflict = '',
): Promise<void> {
  if (rows.length === 0) return;
  const insert = unnestInsert(table, columns, rows, onConflict);
  await manager.query(insert.sql, insert.parameters);
}
