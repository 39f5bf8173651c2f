import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';

import { IsCalendarDate } from '../common/query-params';
import { type PipelineStage, type StageCount } from '../persistence/insights.repository';

export class StatsQuery {
  @ApiPropertyOptional({ example: '2022-02-09', description: 'First UTC day (default: 13 days before `to`)' })
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ example: '2022-02-22', description: 'Last UTC day (default: today, UTC)' })
  @IsOptional()
  @IsCalendarDate()
  to?: string;
}

export class StageDayDto {
  @ApiProperty({ example: '2022-02-22', description: 'UTC day' }) date!: string;
  @ApiProperty({ description: 'Articles published to Kafka by ingestion that day (ingestedAt)' })
  ingested!: number;
  @ApiProperty({ description: 'Articles first written by storage that day' }) stored!: number;
  @ApiProperty({ description: 'Articles whose current enrichment was made that day' }) enriched!: number;
  @ApiProperty({ description: 'Articles first notified about that day' }) notified!: number;
}

export class EnrichmentBacklogDto {
  @ApiProperty({ description: 'Stored articles without an enrichment yet' }) articles!: number;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'When the longest-waiting one was stored',
  })
  oldestStoredAt!: string | null;
}

export class StatsDto {
  @ApiProperty({ example: '2022-02-09' }) from!: string;
  @ApiProperty({ example: '2022-02-22' }) to!: string;
  @ApiProperty({ type: [StageDayDto], description: 'Every day of the window, oldest first' })
  days!: StageDayDto[];
  @ApiProperty({ type: EnrichmentBacklogDto }) waitingForEnrichment!: EnrichmentBacklogDto;
}

/** One entry per day of the window, zeros included, so a gap (a stuck stage) shows at once. */
export function stageDays(dates: readonly string[], counts: readonly StageCount[]): StageDayDto[] {
  const byDay = new Map<string, StageDayDto>(
    dates.map((date) => [date, { date, ingested: 0, stored: 0, enriched: 0, notified: 0 }]),
  );
  for (const count of counts) {
    const day = byDay.get(count.day);
    if (day) day[count.stage satisfies PipelineStage] += count.articles;
  }
  return [...byDay.values()];
}
