import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type Logger } from 'pino';
import { type DataSource } from 'typeorm';

import { Topic } from '@newsflow/contracts';
import { databaseModuleFor, kafkaModuleFor, observabilityModuleFor } from '@newsflow/service-kit';

import { ArticleAnalyser } from './analysis/article-analyser';
import { ArticleEnrichmentHandler } from './article-enrichment.handler';
import { ENRICHMENT_CONFIG, ENRICHMENT_SCHEMA, type EnrichmentConfig } from './enrichment.config';
import { KeyphraseFrequencyStore } from './keyphrases/keyphrase-frequency.store';
import { ENRICHMENT_MIGRATIONS } from './migrations';
import { NearDuplicateIndex } from './stories/near-duplicate.index';
import { StreamStateMaintenance } from './stream-state.maintenance';

@Module({})
export class EnrichmentModule {
  static forRoot(config: EnrichmentConfig, logger: Logger): DynamicModule {
    return {
      module: EnrichmentModule,
      imports: [
        // HealthIndicatorService, for the worker pool's readiness check.
        TerminusModule,
        observabilityModuleFor({ logger, postgres: true }),
        kafkaModuleFor({
          service: 'enrichment',
          config,
          logger,
          topics: [Topic.ArticleIngestedV1, Topic.ArticleEnrichedV1, Topic.DeadLetterV1],
        }),
        databaseModuleFor({
          service: 'enrichment',
          config,
          schema: ENRICHMENT_SCHEMA,
          entities: [],
          migrations: ENRICHMENT_MIGRATIONS,
        }),
      ],
      controllers: [ArticleEnrichmentHandler],
      providers: [
        { provide: ENRICHMENT_CONFIG, useValue: config },
        {
          provide: NearDuplicateIndex,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) =>
            new NearDuplicateIndex(dataSource, {
              windowDays: config.ENRICH_DUPLICATE_WINDOW_DAYS,
              maxDistance: config.ENRICH_DUPLICATE_MAX_DISTANCE,
            }),
        },
        {
          provide: KeyphraseFrequencyStore,
          inject: [getDataSourceToken()],
          useFactory: (dataSource: DataSource) =>
            new KeyphraseFrequencyStore(dataSource, { capacity: config.ENRICH_KEYPHRASE_CAPACITY }),
        },
        ArticleAnalyser,
        StreamStateMaintenance,
      ],
    };
  }
}
