import { type DynamicModule, Module } from '@nestjs/common';
import { type Logger } from 'pino';

import { Topic } from '@newsflow/contracts';
import { databaseModuleFor, kafkaModuleFor, observabilityModuleFor } from '@newsflow/service-kit';

import { BucketEventsConsumer } from './bucket-events/bucket-events.consumer';
import { BucketEventsController } from './bucket-events/bucket-events.controller';
import { IngestionService } from './ingest/ingestion.service';
import { INGESTION_CONFIG, INGESTION_SCHEMA, type IngestionConfig } from './ingestion.config';
import { IngestLedgerRepository } from './ledger/ingest-ledger.repository';
import { INGESTION_MIGRATIONS } from './migrations';

@Module({})
export class IngestionModule {
  static forRoot(config: IngestionConfig, logger: Logger): DynamicModule {
    return {
      module: IngestionModule,
      imports: [
        observabilityModuleFor({ logger, postgres: true }),
        kafkaModuleFor({
          service: 'ingestion',
          config,
          logger,
          topics: [Topic.ArticleIngestedV1, Topic.ArticleRejectedV1, Topic.DeadLetterV1],
        }),
        databaseModuleFor({
          service: 'ingestion',
          config,
          schema: INGESTION_SCHEMA,
          entities: [],
          migrations: INGESTION_MIGRATIONS,
        }),
      ],
      controllers: [BucketEventsController],
      providers: [
        { provide: INGESTION_CONFIG, useValue: config },
        IngestLedgerRepository,
        IngestionService,
        BucketEventsConsumer,
      ],
    };
  }
}
