import {
  BadRequestException,
  Body,
  Controller,
  Get,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';

import { generateSigningSecret } from '../delivery/webhook-signature';
import { CreateSubscriptionDto, CreatedSubscriptionDto, SubscriptionDto } from './subscription.dto';
import { SubscriptionRepository } from './subscription.repository';

@ApiTags('subscriptions')
@Controller('api/subscriptions')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionRepository) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedSubscriptionDto })
  async create(@Body() body: CreateSubscriptionDto): Promise<CreatedSubscriptionDto> {
    const keywords = [...new Set(body.keywords.map((keyword) => keyword.trim()).filter(Boolean))];
    if (keywords.length === 0)
      throw new BadRequestException('keywords: at least one non-blank keyword is needed');
    const signingSecret = generateSigningSecret();
    const created = await this.subscriptions.create({
      name: body.name.trim(),
      webhookUrl: body.webhookUrl,
      keywords,
      signingSecret,
    });
    return { ...SubscriptionDto.from(created), signingSecret };
  }

  @Get()
  @ApiOkResponse({ type: [SubscriptionDto] })
  async list(): Promise<SubscriptionDto[]> {
    return (await this.subscriptions.list()).map((subscription) => SubscriptionDto.from(subscription));
  }

  @Get(':id')
  @ApiOkResponse({ type: SubscriptionDto })
  @ApiNotFoundResponse()
  async get(@Param('id', new ParseUUIDPipe()) id: string): Promise<SubscriptionDto> {
    const subscription = await this.subscriptions.findById(id);
    if (!subscription) throw new NotFoundException(`no subscription with id ${id}`);
    return SubscriptionDto.from(subscription);
  }
}
