import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';

import { type Place } from '@newsflow/contracts';

import { type EntityType } from './article-rows';

/** A half-open interval of instants, [from, to). */
export interface TimeWindow {
  from: Date;
  to: Date;
}

export interface EntityCounts {
  articles: number;
  mentions: number;
}

export interface TopEntity {
  id: string;
  name: string;
  type: EntityType;
  place: Place | null;
  current: EntityCounts;
  previous: EntityCounts;
}

export type PipelineStage = 'ingested' | 'stored' | 'enriched' | 'notified';

export const PIPELINE_STAGES: readonly PipelineStage[] = ['ingested', 'stored', 'enriched', 'notified'];

/** Articles that reached a stage on a UTC day (YYYY-MM-DD). */
export interface StageCount {
  stage: PipelineStage;
  day: string;
  articles: number;
}

export interface EnrichmentBacklog {
  articles: number;
  oldestStoredAt: Date | null;
}

/** The table and column that record when an article reached each stage. */
const STAGE_COLUMN: Record<PipelineStage, { table: string; column: string }> = {
  ingested: { table: 'storage.articles', column: 'ingested_at' },
  stored: { table: 'storage.articles', column: 'stored_at' },
  enriched: { table: 'storage.articles', column: 'enriched_at' },
  notified: { table: 'storage.article_notifications', column: 'notified_at' },
};

/** Aggregates over the stored articles: top entities and their trend, articles per stage per day. */
@Injectable()
export class InsightsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Entities with the most mentions in articles published within `current`, with the same counts for
   * `previous` (the window before, of the same length), so a trend can be shown.
   */
  async topEntities(input: {
    current: TimeWindow;
    previous: TimeWindow;
    type?: EntityType;
    limit: number;
  }): Promise<TopEntity[]> {
    const rows = (await this.dataSource.query(
      `WITH current_counts AS (
         SELECT ae.entity_id, count(*) AS articles, sum(ae.mentions) AS mentions
           FROM storage.article_entities ae
           JOIN storage.articles a ON a.id = ae.article_id
           JOIN storage.entities e ON e.id = ae.entity_id
          WHERE a.published_at >= $1 AND a.published_at < $2 AND ($5::text IS NULL OR e.type = $5)
          GROUP BY ae.entity_id
          ORDER BY mentions DESC, articles DESC, ae.entity_id
          LIMIT $6
       ), previous_counts AS (
         SELECT ae.entity_id, count(*) AS articles, sum(ae.mentions) AS mentions
           FROM storage.article_entities ae
           JOIN storage.articles a ON a.id = ae.article_id
          WHERE a.published_at >= $3 AND a.published_at < $4
            AND ae.entity_id IN (SELECT entity_id FROM current_counts)
          GROUP BY ae.entity_id
       )
       SELECT e.id, e.canonical_name AS name, e.type, e.country_code, e.lat, e.lon, e.feature_type,
              c.articles::integer AS articles, c.mentions::integer AS mentions,
              coalesce(p.articles, 0)::integer AS previous_articles,
              coalesce(p.mentions, 0)::integer AS previous_mentions
         FROM current_counts c
         JOIN storage.entities e ON e.id = c.entity_id
         LEFT JOIN previous_counts p ON p.entity_id = c.entity_id
        ORDER BY c.mentions DESC, c.articles DESC, e.id`,
      [
        input.current.from,
        input.current.to,
        input.previous.from,
        input.previous.to,
        input.type ?? null,
        input.limit,
      ],
    )) as {
      id: string;
      name: string;
      type: EntityType;
      country_code: string | null;
      lat: number | null;
      lon: number | null;
      feature_type: string | null;
      articles: number;
      mentions: number;
      previous_articles: number;
      previous_mentions: number;
    }[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      type: row.type,
      place:
        row.country_code === null
          ? null
          : {
              countryCode: row.country_code,
              lat: row.lat ?? 0,
              lon: row.lon ?? 0,
              featureType: row.feature_type ?? '',
            },
      current: { articles: row.articles, mentions: row.mentions },
      previous: { articles: row.previous_articles, mentions: row.previous_mentions },
    }));
  }

  /** How many articles reached each stage on each UTC day of the window (days without any omitted). */
  async articlesPerStagePerDay(window: TimeWindow): Promise<StageCount[]> {
    const perStage = PIPELINE_STAGES.map((stage) => {
      const { table, column } = STAGE_COLUMN[stage];
      return `SELECT '${stage}' AS stage, to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
                     count(*)::integer AS articles
                FROM ${table}
               WHERE ${column} >= $1 AND ${column} < $2
               GROUP BY 2`;
    });
    return (await this.dataSource.query(perStage.join('\nUNION ALL\n'), [
      window.from,
      window.to,
    ])) as StageCount[];
  }

  /** Articles stored but not enriched yet: a growing number or an old oldest one means a stuck stage. */
  async enrichmentBacklog(): Promise<EnrichmentBacklog> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::integer AS articles, min(stored_at) AS oldest
         FROM storage.articles WHERE enrichment_version IS NULL`,
    )) as { articles: number; oldest: Date | null }[];
    return { articles: row?.articles ?? 0, oldestStoredAt: row?.oldest ?? null };
  }
}
