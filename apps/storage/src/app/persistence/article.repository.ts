import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';

import { type ArticleIngestedV1, type EnrichmentV1 } from '@newsflow/contracts';

import { ArticleEntity } from './article.entity';

export interface ArticlePageCursor {
  publishedAt: Date;
  id: string;
}

const INGEST_COLUMNS = [
  'id',
  'content_hash',
  'published_at',
  'lede',
  'paragraphs',
  'body',
  'word_count',
  'source',
  'parser_version',
  'first_seen_at',
  'ingested_at',
] as const;

function ingestValues(article: ArticleIngestedV1): unknown[] {
  return [
    article.id,
    article.contentHash,
    `${article.publishedAt}T00:00:00Z`,
    article.lede,
    JSON.stringify(article.paragraphs),
    article.text,
    article.wordCount,
    JSON.stringify(article.source),
    article.parserVersion,
    article.firstSeenAt,
    article.ingestedAt,
  ];
}

const placeholders = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => `$${from + index}`).join(', ');

/** The only place that writes or reads `storage.articles`. Every write is idempotent. */
@Injectable()
export class ArticleRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Stores an ingested article. The article's content decides its id, so a second ingestion of the same
   * article (a replay, a file dropped twice) changes nothing; an enriched event that came first already
   * wrote the same content.
   */
  async saveIngested(article: ArticleIngestedV1): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO storage.articles (${INGEST_COLUMNS.join(', ')})
       VALUES (${placeholders(1, INGEST_COLUMNS.length)})
       ON CONFLICT (id) DO NOTHING`,
      ingestValues(article),
    );
  }

  /**
   * Stores an enrichment, creating the article if its ingested event has not arrived yet. An older
   * enrichment version never overwrites a newer one, and replaying the same enrichment leaves the row
   * untouched (updated_at included).
   */
  async saveEnriched(article: ArticleIngestedV1, enrichment: EnrichmentV1): Promise<void> {
    const enrichmentValues = [
      enrichment.language.code,
      enrichment.language.confidence,
      enrichment.readingTimeSeconds,
      enrichment.enrichmentVersion,
      enrichment.enrichedAt,
      JSON.stringify(enrichment),
    ];
    const first = INGEST_COLUMNS.length + 1;
    await this.dataSource.query(
      `INSERT INTO storage.articles (${INGEST_COLUMNS.join(', ')},
         language, language_confidence, reading_time_seconds, enrichment_version, enriched_at, enrichment)
       VALUES (${placeholders(1, INGEST_COLUMNS.length)}, ${placeholders(first, enrichmentValues.length)})
       ON CONFLICT (id) DO UPDATE SET
         language = EXCLUDED.language,
         language_confidence = EXCLUDED.language_confidence,
         reading_time_seconds = EXCLUDED.reading_time_seconds,
         enrichment_version = EXCLUDED.enrichment_version,
         enriched_at = EXCLUDED.enriched_at,
         enrichment = EXCLUDED.enrichment,
         updated_at = now()
       WHERE storage.articles.enrichment_version IS NULL
          OR storage.articles.enrichment_version < EXCLUDED.enrichment_version
          OR (storage.articles.enrichment_version = EXCLUDED.enrichment_version
              AND storage.articles.enrichment IS DISTINCT FROM EXCLUDED.enrichment)`,
      [...ingestValues(article), ...enrichmentValues],
    );
  }

  /** Newest first, by keyset: stable under concurrent inserts, no OFFSET scans. */
  async listNewestFirst(input: { limit: number; after?: ArticlePageCursor }): Promise<ArticleEntity[]> {
    const query = this.dataSource
      .getRepository(ArticleEntity)
      .createQueryBuilder('article')
      .orderBy('article.publishedAt', 'DESC')
      .addOrderBy('article.id', 'DESC')
      .limit(input.limit);
    if (input.after) {
      query.where('(article.publishedAt, article.id) < (:publishedAt, :id)', {
        publishedAt: input.after.publishedAt,
        id: input.after.id,
      });
    }
    return query.getMany();
  }

  async findById(id: string): Promise<ArticleEntity | null> {
    return this.dataSource.getRepository(ArticleEntity).findOneBy({ id });
  }
}
