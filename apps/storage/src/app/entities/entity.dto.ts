import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';

import { ENTITY_TYPES } from '../articles/article.dto';
import { PlaceDto } from '../articles/article-detail.dto';
import { IsCalendarDate, ToNumber } from '../common/query-params';
import { type EntityType } from '../persistence/article-rows';
import { type EntityCounts, type TopEntity } from '../persistence/insights.repository';

export class TopEntitiesQuery {
  @ApiPropertyOptional({
    example: '2022-02-16',
    description: 'First publication date of the window (default: 6 days before `to`)',
  })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({
    example: '2022-02-22',
    description: 'Last publication date of the window (default: today, UTC)',
  })
  @IsOptional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({ enum: ENTITY_TYPES })
  @IsOptional()
  @IsIn(ENTITY_TYPES)
  type?: EntityType;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @ToNumber()
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;
}

export class EntityCountsDto {
  @ApiProperty({ description: 'Articles that mention the entity' }) articles!: number;
  @ApiProperty({ description: 'Mentions over those articles' }) mentions!: number;
}

export type Trend = 'new' | 'up' | 'down' | 'flat';

export class TopEntityDto {
  @ApiProperty({ description: 'Usable as `entity` in GET /api/articles' }) id!: string;
  @ApiProperty({ example: 'Vladimir Putin' }) name!: string;
  @ApiProperty({ enum: ENTITY_TYPES }) type!: EntityType;
  @ApiPropertyOptional({ type: PlaceDto, nullable: true }) place!: PlaceDto | null;
  @ApiProperty() articles!: number;
  @ApiProperty() mentions!: number;
  @ApiProperty({ type: EntityCountsDto, description: 'The same counts for the previous window' })
  previous!: EntityCountsDto;
  @ApiProperty({
    enum: ['new', 'up', 'down', 'flat'],
    description: 'Mentions compared with the previous window',
  })
  trend!: Trend;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 0.25,
    description: 'Relative change of mentions, (this − previous) / previous; null when previous is 0',
  })
  change!: number | null;

  static from(entity: TopEntity): TopEntityDto {
    return {
      id: entity.id,
      name: entity.name,
      type: entity.type,
      place: entity.place,
      articles: entity.current.articles,
      mentions: entity.current.mentions,
      previous: entity.previous,
      ...trendOf(entity.current, entity.previous),
    };
  }
}

export function trendOf(
  current: EntityCounts,
  previous: EntityCounts,
): { trend: Trend; change: number | null } {
  if (previous.mentions === 0) return { trend: 'new', change: null };
  const change = Math.round(((current.mentions - previous.mentions) / previous.mentions) * 10_000) / 10_000;
  return { trend: change > 0 ? 'up' : change < 0 ? 'down' : 'flat', change };
}

export class TopEntitiesDto {
  @ApiProperty({ example: '2022-02-16' }) from!: string;
  @ApiProperty({ example: '2022-02-22' }) to!: string;
  @ApiProperty({ example: '2022-02-09', description: 'The previous window, of the same length' })
  previousFrom!: string;
  @ApiProperty({ example: '2022-02-15' }) previousTo!: string;
  @ApiProperty({ type: [TopEntityDto], description: 'Most mentions first' }) items!: TopEntityDto[];
}
