import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsString, IsUrl, Length } from 'class-validator';

import { type SubscriptionEntity, type SubscriptionStatus } from './subscription.entity';

export class CreateSubscriptionDto {
  @ApiProperty({ example: 'Donbass watch' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ example: 'https://example.org/hooks/newsflow' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  webhookUrl!: string;

  @ApiProperty({
    type: [String],
    example: ['Putin', 'NATO'],
    description: 'Matches whole words or phrases, any case',
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  keywords!: string[];
}

export class SubscriptionDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() webhookUrl!: string;
  @ApiProperty({ type: [String] }) keywords!: string[];
  @ApiProperty({ enum: ['active', 'paused', 'disabled'] }) status!: SubscriptionStatus;
  @ApiProperty() createdAt!: string;

  static from(entity: SubscriptionEntity): SubscriptionDto {
    return {
      id: entity.id,
      name: entity.name,
      webhookUrl: entity.webhookUrl,
      keywords: entity.keywords,
      status: entity.status,
      createdAt: entity.createdAt.toISOString(),
    };
  }
}

export class CreatedSubscriptionDto extends SubscriptionDto {
  @ApiProperty({ description: 'Standard Webhooks signing secret (whsec_...). Shown only in this response.' })
  signingSecret!: string;
}
