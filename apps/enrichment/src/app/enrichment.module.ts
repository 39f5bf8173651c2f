import { type DynamicModule, Module } from '@nestjs/common';
import { type Logger } from 'pino';

import { Topic } from '@newsflow/contracts';
import { kafkaModuleFor, observabilityModuleFor } from '@newsflow/service-kit';

import { ArticleEnrichmentHandler } from './article-enrichment.handler';
import { type EnrichmentConfig } from './enrichment.config';

@Module({})
export class EnrichmentModule {
  static forRoot(config: EnrichmentConfig, logger: Logger): DynamicModule {
    return {
      module: EnrichmentModule,
      imports: [
        observabilityModuleFor({ logger, postgres: false }),
        kafkaModuleFor({
          service: 'enrichment',
          config,
          logger,
          topics: [Topic.ArticleIngestedV1, Topic.ArticleEnrichedV1, Topic.DeadLetterV1],
        }),
      ],
      controllers: [ArticleEnrichmentHandler],
    };
  }
}
