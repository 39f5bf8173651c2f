import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { addDays, daysBetween, resolveDateRange, startOfDay } from '../common/calendar-date';
import { InsightsRepository } from '../persistence/insights.repository';
import { TopEntitiesDto, TopEntitiesQuery, TopEntityDto } from './entity.dto';

@ApiTags('entities')
@Controller('api/entities')
export class EntitiesController {
  constructor(private readonly insights: InsightsRepository) {}

  @Get()
  @ApiOkResponse({
    type: TopEntitiesDto,
    description:
      'Entities with the most mentions in articles published in the window (default: the last 7 days), ' +
      'with the counts of the previous window of the same length',
  })
  @ApiBadRequestResponse({ description: 'A query parameter is invalid; the message names it' })
  async top(@Query() query: TopEntitiesQuery): Promise<TopEntitiesDto> {
    const { from, to } = resolveDateRange(query, { today: new Date(), defaultDays: 7, maxDays: 366 });
    const length = daysBetween(from, to);
    const previousFrom = addDays(from, -length);
    const previousTo = addDays(from, -1);
    const entities = await this.insights.topEntities({
      current: { from: startOfDay(from), to: startOfDay(addDays(to, 1)) },
      previous: { from: startOfDay(previousFrom), to: startOfDay(from) },
      type: query.type,
      limit: query.limit,
    });
    return { from, to, previousFrom, previousTo, items: entities.map((entity) => TopEntityDto.from(entity)) };
  }
}
