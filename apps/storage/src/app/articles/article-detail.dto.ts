import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { type ArticleEntity } from '../persistence/article.entity';
import { type ArticleDetails } from '../persistence/article-query.repository';
import { type EntityType } from '../persistence/article-rows';
import { ArticleDto, ENTITY_TYPES } from './article.dto';

const OFFSETS_DESCRIPTION = 'Character offsets [start, end) in the article text (the body, not the lede)';

export class PlaceDto {
  @ApiProperty({ example: 'UA', description: 'ISO 3166-1 alpha-2' }) countryCode!: string;
  @ApiProperty() lat!: number;
  @ApiProperty() lon!: number;
  @ApiProperty({ example: 'PPLA', description: 'GeoNames feature code or `country`' }) featureType!: string;
}

export class ArticleEntityDto {
  @ApiProperty({ description: 'Entity id, usable as `entity` in GET /api/articles' }) id!: string;
  @ApiProperty({ example: 'Vladimir Putin' }) name!: string;
  @ApiProperty({ enum: ENTITY_TYPES }) type!: EntityType;
  @ApiProperty() mentions!: number;
  @ApiProperty({ minimum: 0, maximum: 1 }) salience!: number;
  @ApiProperty({
    type: 'array',
    items: { type: 'array', items: { type: 'integer' } },
    description: OFFSETS_DESCRIPTION,
  })
  offsets!: [number, number][];
  @ApiProperty({ type: [String] }) aliases!: string[];
  @ApiPropertyOptional({ type: PlaceDto, nullable: true }) place!: PlaceDto | null;
}

export class KeywordDto {
  @ApiProperty() text!: string;
  @ApiProperty() score!: number;
}

export class QuoteDto {
  @ApiProperty() text!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) speaker!: string | null;
  @ApiProperty({ type: [Number], description: OFFSETS_DESCRIPTION }) offsets!: [number, number];
}

export class AmountDto {
  @ApiProperty({ example: '$1.5 billion' }) text!: string;
  @ApiProperty() value!: number;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'USD' }) unit!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'MPs' }) object!: string | null;
  @ApiProperty({ type: [Number], description: OFFSETS_DESCRIPTION }) offsets!: [number, number];
}

export class DateMentionDto {
  @ApiProperty() text!: string;
  @ApiProperty({ example: '2022-02-22' }) date!: string;
  @ApiProperty({ type: [Number], description: OFFSETS_DESCRIPTION }) offsets!: [number, number];
}

export class NearDuplicateDto {
  @ApiProperty({ description: 'The earlier article this one near-duplicates' }) of!: string;
  @ApiProperty({ description: 'Hamming distance of the SimHashes' }) distance!: number;
  @ApiProperty() storyId!: string;
}

export class StorySiblingDto {
  @ApiProperty() id!: string;
  @ApiProperty({ example: '2022-02-22' }) publishedAt!: string;
  @ApiProperty() lede!: string;
  @ApiPropertyOptional({ type: String, nullable: true }) nearDuplicateOf!: string | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) distance!: number | null;
}

export class ArticleDetailDto extends ArticleDto {
  @ApiPropertyOptional({ type: String, nullable: true }) declaredLanguage!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, description: '64-bit SimHash, 16 hex characters' })
  simhash!: string | null;
  @ApiProperty({ type: [ArticleEntityDto], description: 'Most salient first' }) entities!: ArticleEntityDto[];
  @ApiProperty({ type: [KeywordDto] }) keywords!: KeywordDto[];
  @ApiProperty({ type: [QuoteDto] }) quotes!: QuoteDto[];
  @ApiProperty({ type: [AmountDto] }) amounts!: AmountDto[];
  @ApiProperty({ type: [DateMentionDto] }) dates!: DateMentionDto[];
  @ApiPropertyOptional({ type: NearDuplicateDto, nullable: true }) nearDuplicate!: NearDuplicateDto | null;
  @ApiProperty({
    type: [StorySiblingDto],
    description: 'The other stored articles of the same story, oldest first (at most 100)',
  })
  storySiblings!: StorySiblingDto[];

  static fromDetails(entity: ArticleEntity, details: ArticleDetails): ArticleDetailDto {
    return {
      ...ArticleDto.from(entity),
      declaredLanguage: entity.declaredLanguage,
      simhash: entity.simhash,
      ...details,
    };
  }
}
