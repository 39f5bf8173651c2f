import {
  BadRequestException,
  ConflictException,
  Controller,
  Get,
  HttpCode,
  HttpStatus,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { decodeDeliveryCursor, encodeDeliveryCursor } from './delivery-cursor';
import { type DeliveryRow, DeliveryLogRepository } from './delivery-log.repository';
import {
  DeliveryAttemptDto,
  DeliveryDetailDto,
  DeliveryDto,
  DeliveryPageDto,
  ListDeliveriesQuery,
  RedeliverSinceQuery,
  RedeliveredDto,
} from './delivery.dto';

/** `id` path parameters: a 400 that names the parameter, rather than Nest's generic message. */
const uuidParameter = () =>
  new ParseUUIDPipe({ exceptionFactory: () => new BadRequestException('id: must be a UUID') });

@ApiBearerAuth('apiKey')
@ApiTags('deliveries')
@Controller('api/subscriptions')
export class SubscriptionDeliveriesController {
  constructor(private readonly log: DeliveryLogRepository) {}

  @Get(':id/deliveries')
  @ApiOperation({ summary: "A subscription's deliveries, newest first" })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiBadRequestResponse({ description: 'A parameter is invalid; the message names it' })
  @ApiNotFoundResponse({ description: 'No subscription has this id' })
  async list(
    @Param('id', uuidParameter()) id: string,
    @Query() query: ListDeliveriesQuery,
  ): Promise<DeliveryPageDto> {
    const after = query.cursor === undefined ? undefined : decodeDeliveryCursor(query.cursor);
    await this.assertSubscriptionExists(id);
    // One extra row tells whether there is a next page without a COUNT.
    const rows = await this.log.listForSubscription({
      subscriptionId: id,
      status: query.status,
      after,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      items: page.map((row) => DeliveryDto.from(row)),
      nextCursor:
        rows.length > query.limit && last
          ? encodeDeliveryCursor({ createdAt: last.createdKey, id: last.id })
          : null,
    };
  }

  @Post(':id/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Attempt every failed delivery queued since a time once more',
    description:
      'Each is the same delivery (same webhook-id) attempted once, within the rate limit; those of a ' +
      'disabled subscription are held until it is resumed.',
  })
  @ApiAcceptedResponse({ type: RedeliveredDto })
  @ApiBadRequestResponse({ description: 'A parameter is invalid; the message names it' })
  @ApiNotFoundResponse({ description: 'No subscription has this id' })
  async redeliverSince(
    @Param('id', uuidParameter()) id: string,
    @Query() query: RedeliverSinceQuery,
  ): Promise<RedeliveredDto> {
    const since = new Date(query.since);
    if (Number.isNaN(since.getTime())) throw new BadRequestException('since: not a valid date-time');
    await this.assertSubscriptionExists(id);
    return { queued: await this.log.redeliverFailedSince({ subscriptionId: id, since }) };
  }

  private async assertSubscriptionExists(id: string): Promise<void> {
    if (!(await this.log.subscriptionExists(id)))
      throw new NotFoundException(`no subscription with id ${id}`);
  }
}

@ApiBearerAuth('apiKey')
@ApiTags('deliveries')
@Controller('api/deliveries')
export class DeliveriesController {
  constructor(private readonly log: DeliveryLogRepository) {}

  @Get(':id')
  @ApiOperation({ summary: 'One delivery, its body and every attempt' })
  @ApiOkResponse({ type: DeliveryDetailDto })
  @ApiBadRequestResponse({ description: 'The id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No delivery has this id' })
  async get(@Param('id', uuidParameter()) id: string): Promise<DeliveryDetailDto> {
    const delivery = await this.log.findById(id);
    if (!delivery) throw notFound(id);
    const [payload, attempts] = await Promise.all([this.log.payloadOf(id), this.log.attemptsOf(id)]);
    return {
      ...DeliveryDto.from(delivery),
      payload: payload ?? {},
      attempts: attempts.map((attempt) => DeliveryAttemptDto.from(attempt)),
    };
  }

  @Post(':id/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Attempt a failed or delivered delivery once more',
    description: 'The same delivery (same webhook-id) is attempted once; no new delivery is created.',
  })
  @ApiAcceptedResponse({ type: DeliveryDto })
  @ApiBadRequestResponse({ description: 'The id is not a UUID' })
  @ApiNotFoundResponse({ description: 'No delivery has this id' })
  @ApiConflictResponse({ description: 'The delivery is queued already, or part of a digest' })
  async redeliver(@Param('id', uuidParameter()) id: string): Promise<DeliveryDto> {
    const result = await this.log.redeliver(id);
    switch (result.outcome) {
      case 'queued':
        return DeliveryDto.from(result.delivery);
      case 'not_found':
        throw notFound(id);
      case 'not_redeliverable':
        throw new ConflictException(whyNotRedeliverable(result.delivery));
    }
  }
}

const notFound = (id: string) => new NotFoundException(`no delivery with id ${id}`);

function whyNotRedeliverable(delivery: DeliveryRow): string {
  switch (delivery.status) {
    case 'pending':
      return `delivery ${delivery.id} is queued already (next attempt at ${delivery.nextAttemptAt.toISOString()})`;
    case 'held':
      return `delivery ${delivery.id} is held because its subscription is disabled; resume the subscription to send it`;
    case 'collected':
      return `delivery ${delivery.id} waits for its digest window to close (at ${delivery.nextAttemptAt.toISOString()})`;
    case 'digested':
      return `delivery ${delivery.id} was sent inside digest ${delivery.digestId ?? '(deleted)'}; redeliver the digest`;
    case 'failed':
    case 'delivered':
      // Redeliverable: only reached when it changed between the update and the read.
      return `delivery ${delivery.id} changed meanwhile; try again`;
  }
}
