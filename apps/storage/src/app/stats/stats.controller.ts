import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { addDays, daysBetween, resolveDateRange, startOfDay } from '../common/calendar-date';
import { InsightsRepository } from '../persistence/insights.repository';
import { StatsDto, StatsQuery, stageDays } from './stats.dto';

@ApiTags('stats')
@Controller('api/stats')
export class StatsController {
  constructor(private readonly insights: InsightsRepository) {}

  @Get()
  @ApiOkResponse({
    type: StatsDto,
    description:
      'Articles per pipeline stage per UTC day (default: the last 14 days) and the enrichment backlog, ' +
      'so a stage that stopped shows at once',
  })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; the message names it' })
  async stats(@Query() query: StatsQuery): Promise<StatsDto> {
    const { from, to } = resolveDateRange(query, { today: new Date(), defaultDays: 14, maxDays: 366 });
    const [counts, backlog] = await Promise.all([
      this.insights.articlesPerStagePerDay({ from: startOfDay(from), to: startOfDay(addDays(to, 1)) }),
      this.insights.enrichmentBacklog(),
    ]);
    const dates = Array.from({ length: daysBetween(from, to) }, (_, index) => addDays(from, index));
    return {
      from,
      to,
      days: stageDays(dates, counts),
      waitingForEnrichment: {
        articles: backlog.articles,
        oldestStoredAt: backlog.oldestStoredAt?.toISOString() ?? null,
      },
    };
  }
}
