import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

import {
  CreateSubscriptionDto,
  CreatedSubscriptionDto,
  RotatedSecretDto,
  SubscriptionDto,
  UpdateSubscriptionDto,
} from './subscription.dto';
import { SubscriptionsService } from './subscriptions.service';

const id = () => new ParseUUIDPipe();

@ApiBearerAuth('apiKey')
@ApiTags('subscriptions')
@ApiUnauthorizedResponse({ description: 'No API key, or not a valid one: send Authorization: Bearer <key>' })
@Controller('api/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedSubscriptionDto })
  @ApiBadRequestResponse({ description: 'A field is invalid; for a query, the position and the reason' })
  async create(@Body() body: CreateSubscriptionDto): Promise<CreatedSubscriptionDto> {
    const { subscription, signingSecret } = await this.subscriptions.create(body);
    return { ...SubscriptionDto.from(subscription), signingSecret };
  }

  @Get()
  @ApiOkResponse({ type: [SubscriptionDto], description: 'Newest first' })
  async list(): Promise<SubscriptionDto[]> {
    return (await this.subscriptions.list()).map((subscription) => SubscriptionDto.from(subscription));
  }

  @Get(':id')
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiNotFoundResponse()
  async get(@Param('id', id()) subscriptionId: string): Promise<SubscriptionDto> {
    return SubscriptionDto.from(await this.subscriptions.get(subscriptionId));
  }

  @Patch(':id')
  @ApiOkResponse({ type: SubscriptionDto, description: 'Only the fields given change' })
  @ApiBadRequestResponse()
  @ApiNotFoundResponse()
  async update(
    @Param('id', id()) subscriptionId: string,
    @Body() body: UpdateSubscriptionDto,
  ): Promise<SubscriptionDto> {
    return SubscriptionDto.from(await this.subscriptions.update(subscriptionId, body));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOkResponse({ type: SubscriptionDto, description: 'Matches nothing until resumed' })
  @ApiNotFoundResponse()
  async pause(@Param('id', id()) subscriptionId: string): Promise<SubscriptionDto> {
    return SubscriptionDto.from(await this.subscriptions.pause(subscriptionId));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOkResponse({
    type: SubscriptionDto,
    description:
      'Active again; a subscription disabled for a failing endpoint gets its failure record cleared',
  })
  @ApiNotFoundResponse()
  async resume(@Param('id', id()) subscriptionId: string): Promise<SubscriptionDto> {
    return SubscriptionDto.from(await this.subscriptions.resume(subscriptionId));
  }

  @Post(':id/secret/rotate')
  @HttpCode(200)
  @ApiOkResponse({ type: RotatedSecretDto })
  @ApiNotFoundResponse()
  async rotateSecret(@Param('id', id()) subscriptionId: string): Promise<RotatedSecretDto> {
    return this.subscriptions.rotateSecret(subscriptionId);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Deleted, with its deliveries' })
  @ApiNotFoundResponse()
  async delete(@Param('id', id()) subscriptionId: string): Promise<void> {
    await this.subscriptions.delete(subscriptionId);
  }
}
