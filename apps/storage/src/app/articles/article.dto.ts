import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';

import { EntitySchema } from '@newsflow/contracts';

import { IsCalendarDate, ToArray, ToBoolean, ToNumber } from '../common/query-params';
import { type ArticleEntity } from '../persistence/article.entity';
import { type EntityType } from '../persistence/article-rows';

export const ENTITY_TYPES: readonly EntityType[] = EntitySchema.shape.type.options;

/** At most this many `entity` values per request. */
export const MAX_ENTITY_VALUES = 10;

export class ListArticlesQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (same parameters otherwise)' })
  @IsOptional()
  @IsString()
  cursor?: string;

  @ApiPropertyOptional({
    description:
      'Full-text search in title, lede (weighted higher) and body, web-search syntax: words (all must ' +
      'occur), "a phrase", `or`, `-word` to exclude. English stemming: `vote` finds "voted".',
    example: '"Vladimir Putin" sanctions -football',
  })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  q?: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      `Entity the article mentions: its id (32 hex characters, from /api/entities or an article) or its ` +
      `canonical name (case-insensitive). Repeat for several (at most ${MAX_ENTITY_VALUES}).`,
    example: ['Vladimir Putin'],
  })
  @IsOptional()
  @ToArray()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_ENTITY_VALUES)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  entity?: string[];

  @ApiPropertyOptional({
    enum: ['any', 'all'],
    default: 'any',
    description: 'With several `entity` values: articles mentioning any of them, or all of them',
  })
  @IsOptional()
  @IsIn(['any', 'all'])
  entityMatch: 'any' | 'all' = 'any';

  @ApiPropertyOptional({ enum: ENTITY_TYPES, description: 'Only entities of this type match `entity`' })
  @IsOptional()
  @IsIn(ENTITY_TYPES)
  type?: EntityType;

  @ApiPropertyOptional({ example: 'en', description: 'Detected language, ISO 639-1 (`und`: undetermined)' })
  @IsOptional()
  @Matches(/^[a-z]{2,3}$/, { message: '$property must be a lowercase ISO 639 language code' })
  language?: string;

  @ApiPropertyOptional({ example: '2022-02-01', description: 'Published on or after this date' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2022-02-28', description: 'Published on or before this date' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({ minimum: -1, maximum: 1, description: 'Sentiment score at least this' })
  @IsOptional()
  @ToNumber()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1)
  @Max(1)
  sentimentMin?: number;

  @ApiPropertyOptional({ minimum: -1, maximum: 1, description: 'Sentiment score at most this' })
  @IsOptional()
  @ToNumber()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1)
  @Max(1)
  sentimentMax?: number;

  @ApiPropertyOptional({
    example: 'local/reuters/',
    description:
      'Prefix of `bucket/key` of the object the article came from (`local` is the inbox folder). ' +
      'For the publishing outlet use `publisher`.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 1024)
  source?: string;

  @ApiPropertyOptional({ example: 'Reuters', description: 'Publishing outlet (case-insensitive, exact)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  publisher?: string;

  @ApiPropertyOptional({
    default: false,
    description:
      'One article per near-duplicate story: its earliest article that matches the other parameters',
  })
  @IsOptional()
  @ToBoolean()
  @IsBoolean()
  collapseDuplicates = false;

  @ApiPropertyOptional({
    enum: ['newest', 'relevance'],
    default: 'newest',
    description: 'Newest publication first, or best full-text match first (needs `q`)',
  })
  @IsOptional()
  @IsIn(['newest', 'relevance'])
  sort: 'newest' | 'relevance' = 'newest';
}

export class ArticleSourceDto {
  @ApiProperty() bucket!: string;
  @ApiProperty() key!: string;
  @ApiPropertyOptional() etag?: string;
  @ApiProperty() sizeBytes!: number;
  @ApiPropertyOptional({ description: 'Line of the record in a JSON Lines object' }) line?: number;
}

export class LanguageDto {
  @ApiProperty({ example: 'en' }) code!: string;
  @ApiProperty({ minimum: 0, maximum: 1 }) confidence!: number;
}

export class SentimentDto {
  @ApiProperty({ minimum: -1, maximum: 1 }) score!: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) positive!: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) negative!: number;
}

const isoOrNull = (date: Date | null) => date?.toISOString() ?? null;

export class ArticleDto {
  @ApiProperty({ example: '3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f' }) id!: string;
  @ApiProperty({ example: '2022-02-22', description: 'Publication date' }) publishedAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) title!: string | null;
  @ApiProperty() lede!: string;
  @ApiProperty({ type: [String] }) paragraphs!: string[];
  @ApiProperty() text!: string;
  @ApiProperty() wordCount!: number;
  @ApiPropertyOptional({ type: String, nullable: true }) url!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) author!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) publisher!: string | null;
  @ApiProperty({ type: ArticleSourceDto }) source!: ArticleSourceDto;
  @ApiProperty() contentHash!: string;
  @ApiPropertyOptional({ type: LanguageDto, nullable: true }) language!: LanguageDto | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) readingTimeSeconds!: number | null;
  @ApiPropertyOptional({ type: SentimentDto, nullable: true }) sentiment!: SentimentDto | null;
  @ApiPropertyOptional({ type: String, nullable: true }) summary!: string | null;
  @ApiProperty({
    description: 'First article of this one’s near-duplicate story (the article itself when it is the first)',
  })
  storyId!: string;
  @ApiPropertyOptional({ type: Number, nullable: true }) enrichmentVersion!: number | null;
  @ApiProperty() firstSeenAt!: string;
  @ApiProperty() ingestedAt!: string;
  @ApiProperty({ description: 'When storage first wrote the article' }) storedAt!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) enrichedAt!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) notifiedAt!: string | null;

  static from(entity: ArticleEntity): ArticleDto {
    return {
      id: entity.id,
      publishedAt: entity.publishedAt.toISOString().slice(0, 10),
      title: entity.title,
      lede: entity.lede,
      paragraphs: entity.paragraphs,
      text: entity.text,
      wordCount: entity.wordCount,
      url: entity.url,
      author: entity.author,
      publisher: entity.publisher,
      source: entity.source,
      contentHash: entity.contentHash,
      language:
        entity.language === null
          ? null
          : { code: entity.language, confidence: entity.languageConfidence ?? 0 },
      readingTimeSeconds: entity.readingTimeSeconds,
      sentiment:
        entity.sentimentScore === null
          ? null
          : {
              score: entity.sentimentScore,
              positive: entity.sentimentPositive ?? 0,
              negative: entity.sentimentNegative ?? 0,
            },
      summary: entity.summary,
      storyId: entity.storyId,
      enrichmentVersion: entity.enrichmentVersion,
      firstSeenAt: entity.firstSeenAt.toISOString(),
      ingestedAt: entity.ingestedAt.toISOString(),
      storedAt: entity.storedAt.toISOString(),
      enrichedAt: isoOrNull(entity.enrichedAt),
      notifiedAt: isoOrNull(entity.notifiedAt),
    };
  }
}

export class ArticlePageDto {
  @ApiProperty({ type: [ArticleDto] }) items!: ArticleDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` (with the same other parameters) for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
