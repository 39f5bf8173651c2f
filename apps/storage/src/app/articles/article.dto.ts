import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

import { type ArticleEntity } from '../persistence/article.entity';

export class ListArticlesQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class ArticleSourceDto {
  @ApiProperty() bucket!: string;
  @ApiProperty() key!: string;
  @ApiPropertyOptional() etag?: string;
  @ApiProperty() sizeBytes!: number;
}

export class LanguageDto {
  @ApiProperty({ example: 'en' }) code!: string;
  @ApiProperty({ minimum: 0, maximum: 1 }) confidence!: number;
}

export class ArticleDto {
  @ApiProperty({ example: '3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f' }) id!: string;
  @ApiProperty({ example: '2022-02-22', description: 'Publication date' }) publishedAt!: string;
  @ApiProperty() lede!: string;
  @ApiProperty({ type: [String] }) paragraphs!: string[];
  @ApiProperty() text!: string;
  @ApiProperty() wordCount!: number;
  @ApiProperty({ type: ArticleSourceDto }) source!: ArticleSourceDto;
  @ApiProperty() contentHash!: string;
  @ApiPropertyOptional({ type: LanguageDto, nullable: true }) language!: LanguageDto | null;
  @ApiPropertyOptional({ nullable: true }) readingTimeSeconds!: number | null;
  @ApiPropertyOptional({ nullable: true }) enrichmentVersion!: number | null;
  @ApiProperty() firstSeenAt!: string;
  @ApiProperty() ingestedAt!: string;
  @ApiPropertyOptional({ nullable: true }) enrichedAt!: string | null;
  @ApiProperty() storedAt!: string;

  static from(entity: ArticleEntity): ArticleDto {
    return {
      id: entity.id,
      publishedAt: entity.publishedAt.toISOString().slice(0, 10),
      lede: entity.lede,
      paragraphs: entity.paragraphs,
      text: entity.text,
      wordCount: entity.wordCount,
      source: entity.source,
      contentHash: entity.contentHash,
      language:
        entity.language === null
          ? null
          : { code: entity.language, confidence: entity.languageConfidence ?? 0 },
      readingTimeSeconds: entity.readingTimeSeconds,
      enrichmentVersion: entity.enrichmentVersion,
      firstSeenAt: entity.firstSeenAt.toISOString(),
      ingestedAt: entity.ingestedAt.toISOString(),
      enrichedAt: entity.enrichedAt?.toISOString() ?? null,
      storedAt: entity.storedAt.toISOString(),
    };
  }
}

export class ArticlePageDto {
  @ApiProperty({ type: [ArticleDto] }) items!: ArticleDto[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  nextCursor!: string | null;
}
