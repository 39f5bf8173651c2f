import { type DynamicModule, Module } from '@nestjs/common';
import { type Logger } from 'pino';

import { Topic } from '@newsflow/contracts';
import { databaseModuleFor, kafkaModuleFor, observabilityModuleFor } from '@newsflow/service-kit';

import { ArticlesController } from './articles/articles.controller';
import { EntitiesController } from './entities/entities.controller';
import { STORAGE_MIGRATIONS } from './migrations';
import { ArticleEntity } from './persistence/article.entity';
import { ArticleEventsHandler } from './persistence/article-events.handler';
import { ArticleQueryRepository } from './persistence/article-query.repository';
import { ArticleRepository } from './persistence/article.repository';
import { InsightsRepository } from './persistence/insights.repository';
import { StatsController } from './stats/stats.controller';
import { STORAGE_SCHEMA, type StorageConfig } from './storage.config';

@Module({})
export class StorageModule {
  static forRoot(config: StorageConfig, logger: Logger): DynamicModule {
    return {
      module: StorageModule,
      imports: [
        observabilityModuleFor({ logger, postgres: true }),
        kafkaModuleFor({
          service: 'storage',
          config,
          logger,
          topics: [
            Topic.ArticleIngestedV1,
            Topic.ArticleEnrichedV1,
            Topic.NotificationV1,
            Topic.DeadLetterV1,
          ],
        }),
        databaseModuleFor({
          service: 'storage',
          config,
          schema: STORAGE_SCHEMA,
          entities: [ArticleEntity],
          migrations: STORAGE_MIGRATIONS,
        }),
      ],
      controllers: [ArticleEventsHandler, ArticlesController, EntitiesController, StatsController],
      providers: [ArticleRepository, ArticleQueryRepository, InsightsRepository],
    };
  }
}
