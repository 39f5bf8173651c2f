import { BadRequestException, Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBody, ApiTags } from '@nestjs/swagger';

import { IngestionService } from '../ingest/ingestion.service';
import { BucketEventSchema, createdObjects } from './bucket-event-records';

/**
 * Bucket event notifications over HTTP (MinIO webhook target, an AWS SNS/Lambda relay). Events are
 * hints: each named object is looked up and ingested through the ledger, and reconciliation still
 * lists the bucket, so a lost or repeated event changes nothing.
 */
@ApiTags('bucket events')
@Controller('api/bucket-events')
export class BucketEventsController {
  constructor(private readonly ingestion: IngestionService) {}

  @Post()
  @HttpCode(202)
  @ApiBody({ description: 'An S3 event notification: { "Records": [ ... ] }', schema: { type: 'object' } })
  @ApiAcceptedResponse({ description: 'Counts of objects queued and records ignored' })
  @ApiBadRequestResponse({ description: 'Not an S3 event notification' })
  receive(@Body() body: unknown): { queued: number; ignored: number } {
    if (!BucketEventSchema.safeParse(body).success) {
      throw new BadRequestException('body: expected an S3 event notification with a non-empty Records array');
    }
    const { created, ignored } = createdObjects(body);
    const ours = created.filter((event) => event.bucket === this.ingestion.store.bucket);
    for (const event of ours) this.ingestion.notify(event.key);
    return { queued: ours.length, ignored: ignored + created.length - ours.length };
  }
}
