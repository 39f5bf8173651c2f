import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

import { DELIVERY_STATUSES, type DeliveryKind, type DeliveryStatus } from '../delivery/delivery-status';
import { type AttemptRow, type DeliveryRow } from './delivery-log.repository';

/** Statuses whose next_attempt_at means "next attempt at" (for the others it is history). */
const WAITING: readonly DeliveryStatus[] = ['pending', 'held', 'collected'];

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export class ListDeliveriesQuery {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES, description: 'Only deliveries in this status' })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  // Query strings carry text; anything that is not a number is left for @IsInt to name.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
  )
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 20;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page (same status filter)' })
  @IsOptional()
  @IsString()
  cursor?: string;
}

export class RedeliverSinceQuery {
  @ApiProperty({
    example: '2026-11-20T00:00:00Z',
    description: 'Failed deliveries queued at or after this time are attempted again (ISO 8601, with a zone)',
  })
  @IsISO8601({ strict: true }, { message: '$property must be a valid ISO 8601 date-time' })
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/, {
    message: '$property must be an ISO 8601 date-time with a time zone, e.g. 2026-11-20T00:00:00Z',
  })
  since!: string;
}

export class DeliveryDto {
  @ApiProperty({ description: 'Also the webhook-id header of every attempt' }) id!: string;
  @ApiProperty() subscriptionId!: string;
  @ApiProperty({ enum: ['article', 'digest'] }) kind!: DeliveryKind;
  @ApiProperty({ type: String, nullable: true, description: 'Null for digests' }) articleId!: string | null;
  @ApiProperty({ type: String, nullable: true }) storyId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The digest that carried this match' })
  digestId!: string | null;
  @ApiProperty({
    enum: DELIVERY_STATUSES,
    description:
      'pending: due or waiting for a retry; delivered: a 2xx answer; failed: retries used up; held: the ' +
      'subscription is disabled, sent once it is resumed; collected: waiting for its digest window to close; ' +
      'digested: sent inside the digest `digestId`',
  })
  status!: DeliveryStatus;
  @ApiProperty() attemptCount!: number;
  @ApiProperty({ type: String, nullable: true }) nextAttemptAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastAttemptAt!: string | null;
  @ApiProperty({ type: Number, nullable: true }) lastStatusCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, nullable: true }) deliveredAt!: string | null;
  @ApiProperty() createdAt!: string;

  static from(row: DeliveryRow): DeliveryDto {
    return {
      id: row.id,
      subscriptionId: row.subscriptionId,
      kind: row.kind,
      articleId: row.articleId,
      storyId: row.storyId,
      digestId: row.digestId,
      status: row.status,
      attemptCount: row.attempts,
      nextAttemptAt: WAITING.includes(row.status) ? row.nextAttemptAt.toISOString() : null,
      lastAttemptAt: iso(row.lastAttemptAt),
      lastStatusCode: row.lastStatusCode,
      lastError: row.lastError,
      deliveredAt: iso(row.deliveredAt),
      createdAt: row.createdAt.toISOString(),
    };
  }
}

export class DeliveryAttemptDto {
  @ApiProperty({ description: '1 for the first attempt' }) attempt!: number;
  @ApiProperty() attemptedAt!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null while the attempt is in flight' })
  finishedAt!: string | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Null when no HTTP answer came' })
  statusCode!: number | null;
  @ApiProperty({ type: Number, nullable: true }) latencyMs!: number | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The start of the answer (at most 1000 characters)',
  })
  responseBody!: string | null;

  static from(row: AttemptRow): DeliveryAttemptDto {
    return {
      attempt: row.attempt,
      attemptedAt: row.attemptedAt.toISOString(),
      finishedAt: iso(row.finishedAt),
      statusCode: row.statusCode,
      latencyMs: row.latencyMs,
      error: row.error,
      responseBody: row.responseBody,
    };
  }
}

export class DeliveryDetailDto extends DeliveryDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The webhook body' })
  payload!: object;

  @ApiProperty({ type: [DeliveryAttemptDto], description: 'Every attempt, oldest first' })
  attempts!: DeliveryAttemptDto[];
}

export class DeliveryPageDto {
  @ApiProperty({ type: [DeliveryDto] }) items!: DeliveryDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

export class RedeliveredDto {
  @ApiProperty({ description: 'Failed deliveries queued for one more attempt' }) queued!: number;
}
