import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

import { type SubscriptionFilter, subscriptionFilterOpenApiSchema } from '@newsflow/subscription-matching';

import { type SubscriptionEntity, type SubscriptionStatus } from './subscription.entity';

const FILTER_DOC = {
  ...subscriptionFilterOpenApiSchema(),
  description:
    'What to match; every constraint given must hold. `query`: words, "phrases", AND, OR, NOT (or -word), ' +
    'parentheses; upper-case operators only, words side by side are ANDed, no stemming. A bad filter gets 400 ' +
    'naming the field (and, for the query, the position).',
  example: {
    query: '"interest rates" AND (ECB OR Fed) NOT crypto',
    entities: { match: 'any', items: [{ name: 'Christine Lagarde', type: 'PERSON' }], minSalience: 0.1 },
    languages: ['en'],
  },
};

/** Present in the body: null is not "absent" for these (validators skip undefined only). */
const isGiven = (_object: object, value: unknown) => value !== undefined;

class DeliveryOptionsInput {
  @ApiPropertyOptional({ description: 'Send at most one webhook per near-duplicate story', default: false })
  @ValidateIf(isGiven)
  @IsBoolean()
  oncePerStory?: boolean;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 1440,
    description: 'Collect matches and send one digest webhook every N minutes; null sends each at once',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1440)
  digestMinutes?: number | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: 10_000,
    description: 'At most this many webhooks a minute; null for no limit',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  rateLimitPerMinute?: number | null;
}

export class CreateSubscriptionDto extends DeliveryOptionsInput {
  @ApiProperty({ example: 'Donbass watch' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({
    example: 'https://example.org/hooks/newsflow',
    description: 'http(s); private and loopback addresses only when the service allows private targets',
  })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  webhookUrl!: string;

  @ApiPropertyOptional(FILTER_DOC)
  @ValidateIf(isGiven)
  @IsObject()
  filter?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: [String],
    example: ['Putin', 'NATO'],
    description: 'The older form of a filter: any of these words or phrases (same as filter.keywords)',
  })
  @ValidateIf(isGiven)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  keywords?: string[];
}

export class UpdateSubscriptionDto extends DeliveryOptionsInput {
  @ApiPropertyOptional()
  @ValidateIf(isGiven)
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional()
  @ValidateIf(isGiven)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  webhookUrl?: string;

  @ApiPropertyOptional({ ...FILTER_DOC, description: 'Replaces the whole filter' })
  @ValidateIf(isGiven)
  @IsObject()
  filter?: Record<string, unknown>;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the filter with `{ keywords }`' })
  @ValidateIf(isGiven)
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  keywords?: string[];
}

export class SubscriptionDto {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() webhookUrl!: string;
  @ApiProperty({ enum: ['active', 'paused', 'disabled'] }) status!: SubscriptionStatus;
  @ApiProperty({ ...FILTER_DOC, description: 'The validated filter, with its version' })
  filter!: SubscriptionFilter;
  @ApiPropertyOptional({ type: [String], description: 'filter.keywords, for clients written before filters' })
  keywords?: string[];
  @ApiProperty() oncePerStory!: boolean;
  @ApiProperty({ type: Number, nullable: true }) digestMinutes!: number | null;
  @ApiProperty({ type: Number, nullable: true }) rateLimitPerMinute!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'Since when the endpoint has been failing' })
  failingSince!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why the subscription was disabled' })
  disabledReason!: string | null;
  @ApiProperty({ type: String, nullable: true }) disabledAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;

  static from(entity: SubscriptionEntity): SubscriptionDto {
    return {
      id: entity.id,
      name: entity.name,
      webhookUrl: entity.webhookUrl,
      status: entity.status,
      filter: entity.filter,
      ...(entity.filter.keywords ? { keywords: entity.filter.keywords } : {}),
      oncePerStory: entity.oncePerStory,
      digestMinutes: entity.digestMinutes,
      rateLimitPerMinute: entity.rateLimitPerMinute,
      failingSince: entity.failingSince?.toISOString() ?? null,
      disabledReason: entity.disabledReason,
      disabledAt: entity.disabledAt?.toISOString() ?? null,
      createdAt: entity.createdAt.toISOString(),
      updatedAt: entity.updatedAt.toISOString(),
    };
  }
}

export class CreatedSubscriptionDto extends SubscriptionDto {
  @ApiProperty({ description: 'Standard Webhooks signing secret (whsec_...). Shown only in this response.' })
  signingSecret!: string;
}

export class RotatedSecretDto {
  @ApiProperty({ description: 'The new signing secret (whsec_...). Shown only in this response.' })
  signingSecret!: string;

  @ApiProperty({
    description:
      'Until then webhooks carry a signature with the previous secret too (WEBHOOK_SECRET_OVERLAP_HOURS)',
  })
  previousSecretExpiresAt!: string;
}
