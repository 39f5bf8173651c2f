import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

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
  language!: string | null;

  @Column({ name: 'language_confidence', type: 'real', nullable: true })
  languageConfidence!: number | null;

  @Column({ name: 'reading_time_seconds', type: 'integer', nullable: true })
  readingTimeSeconds!: number | null;

  @Column({ name: 'enrichment_version', type: 'integer', nullable: true })
  enrichmentVersion!: number | null;

  @Column({ name: 'enriched_at', type: 'timestamptz', nullable: true })
  enrichedAt!: Date | null;

  /** The whole enrichment as received, so fields added to the contract are kept before they get columns. */
  @Column({ type: 'jsonb', nullable: true })
  enrichment!: EnrichmentV1 | null;

  @CreateDateColumn({ name: 'stored_at', type: 'timestamptz' })
  storedAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
