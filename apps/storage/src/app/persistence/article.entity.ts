import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  UpdateDateColumn,
  VirtualColumn,
} from 'typeorm';

import { type EnrichmentV1, type SourceObject } from '@newsflow/contracts';

@Entity({ name: 'articles' })
@Index('articles_newest_first', ['publishedAt', 'id'])
export class ArticleEntity {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ name: 'content_hash', type: 'text' })
  contentHash!: string;

  @Column({ name: 'published_at', type: 'timestamptz' })
  publishedAt!: Date;

  @Column({ type: 'text' })
  lede!: string;

  @Column({ type: 'jsonb' })
  paragraphs!: string[];

  @Column({ name: 'body', type: 'text' })
  text!: string;

  @Column({ name: 'word_count', type: 'integer' })
  wordCount!: number;

  @Column({ type: 'jsonb' })
  source!: SourceObject;

  @Column({ name: 'parser_version', type: 'text' })
  parserVersion!: string;

  @Column({ name: 'first_seen_at', type: 'timestamptz' })
  firstSeenAt!: Date;

  @Column({ name: 'ingested_at', type: 'timestamptz' })
  ingestedAt!: Date;

  @Column({ type: 'text', nullable: true })
  title!: string | null;

  @Column({ type: 'text', nullable: true })
  url!: string | null;

  @Column({ type: 'text', nullable: true })
  author!: string | null;

  @Column({ type: 'text', nullable: true })
  publisher!: string | null;

  @Column({ name: 'declared_language', type: 'text', nullable: true })
  declaredLanguage!: string | null;

  /** The first article of this one's near-duplicate story, or the article itself. */
  @Column({ name: 'story_id', type: 'text' })
  storyId!: string;

  @Column({ type: 'text', nullable: true })
  language!: string | null;

  @Column({ name: 'language_confidence', type: 'real', nullable: true })
  languageConfidence!: number | null;

  @Column({ name: 'reading_time_seconds', type: 'integer', nullable: true })
  readingTimeSeconds!: number | null;

  @Column({ name: 'enrichment_version', type: 'integer', nullable: true })
  enrichmentVersion!: number | null;

  @Column({ name: 'enriched_at', type: 'timestamptz', nullable: true })
  enrichedAt!: Date | null;

  @Column({ name: 'sentiment_score', type: 'double precision', nullable: true })
  sentimentScore!: number | null;

  @Column({ name: 'sentiment_positive', type: 'double precision', nullable: true })
  sentimentPositive!: number | null;

  @Column({ name: 'sentiment_negative', type: 'double precision', nullable: true })
  sentimentNegative!: number | null;

  @Column({ type: 'text', nullable: true })
  summary!: string | null;

  @Column({ type: 'text', nullable: true })
  simhash!: string | null;

  /**
   * The whole enrichment as received, so fields added to the contract are kept before they get columns.
   * Not loaded by default: its parts that the API serves have columns and tables of their own.
   */
  @Column({ type: 'jsonb', nullable: true, select: false })
  enrichment!: EnrichmentV1 | null;

  /** When notification first matched the article with a subscription (through an event); its own table. */
  @VirtualColumn({
    type: 'timestamptz',
    query: (alias) =>
      `SELECT n.notified_at FROM storage.article_notifications n WHERE n.article_id = ${alias}.id`,
  })
  notifiedAt!: Date | null;

  @CreateDateColumn({ name: 'stored_at', type: 'timestamptz' })
  storedAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
