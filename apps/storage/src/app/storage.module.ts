import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { type Logger } from 'pino';

import { Topic } from '@newsflow/contracts';
import { KafkaHealthIndicator } from '@newsflow/nest-kafka';
import { ObservabilityModule } from '@newsflow/observability';
import { databaseModuleFor, kafkaModuleFor } from '@newsflow/service-kit';

import { ArticlesController } from './articles/articles.controller';
import { STORAGE_MIGRATIONS } from './migrations';
import { ArticleEntity } from './persistence/article.entity';
import { ArticleEventsHandler } from './persistence/article-events.handler';
import { ArticleRepository } from './persistence/article.repository';
import { STORAGE_SCHEMA, type StorageConfig } from './storage.config';

@Module({})
export class StorageModule {
  static forRoot(config: StorageConfig, logger: Logger): DynamicModule {
    return {
      module: StorageModule,
      imports: [
        ObservabilityModule.forRoot({
          rootLogger: logger,
          healthIndicators: {
            inject: [KafkaHealthIndicator, TypeOrmHealthIndicator],
            useFactory: (kafka: KafkaHealthIndicator, db: TypeOrmHealthIndicator) => [
              () => kafka.check(),
              () => db.pingCheck('postgres', { timeout: 3_000 }),
            ],
          },
        }),
        kafkaModuleFor({
          service: 'storage',
          config,
          logger,
          topics: [Topic.ArticleIngestedV1, Topic.ArticleEnrichedV1, Topic.DeadLetterV1],
        }),
        databaseModuleFor({
          service: 'storage',
          config,
          schema: STORAGE_SCHEMA,
          entities: [ArticleEntity],
          migrations: STORAGE_MIGRATIONS,
        }),
      ],
      controllers: [ArticleEventsHandler, ArticlesController],
      providers: [ArticleRepository],
    };
  }
}
