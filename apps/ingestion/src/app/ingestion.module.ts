import { type DynamicModule, Module } from '@nestjs/common';
import { type Logger } from 'pino';

import { Topic } from '@newsflow/contracts';
import { KafkaHealthIndicator } from '@newsflow/nest-kafka';
import { ObservabilityModule } from '@newsflow/observability';
import { kafkaModuleFor } from '@newsflow/service-kit';

import { InboxService } from './inbox/inbox.service';
import { INGESTION_CONFIG, type IngestionConfig } from './ingestion.config';

@Module({})
export class IngestionModule {
  static forRoot(config: IngestionConfig, logger: Logger): DynamicModule {
    return {
      module: IngestionModule,
      imports: [
        ObservabilityModule.forRoot({
          rootLogger: logger,
          healthIndicators: {
            inject: [KafkaHealthIndicator],
            useFactory: (kafka: KafkaHealthIndicator) => [() => kafka.check()],
          },
        }),
        kafkaModuleFor({
          service: 'ingestion',
          config,
          logger,
          topics: [Topic.ArticleIngestedV1, Topic.ArticleRejectedV1],
        }),
      ],
      providers: [{ provide: INGESTION_CONFIG, useValue: config }, InboxService],
    };
  }
}
