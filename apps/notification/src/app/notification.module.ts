import { type DynamicModule, Module } from '@nestjs/common';
import { type Logger } from 'pino';

import { Topic } from '@newsflow/contracts';
import { databaseModuleFor, kafkaModuleFor, observabilityModuleFor } from '@newsflow/service-kit';

import { DeliveryRepository } from './delivery/delivery.repository';
import { DeliveryWorker } from './delivery/delivery.worker';
import { ArticleMatchingHandler } from './matching/article-matching.handler';
import { NOTIFICATION_MIGRATIONS } from './migrations';
import { NOTIFICATION_CONFIG, NOTIFICATION_SCHEMA, type NotificationConfig } from './notification.config';
import { SubscriptionEntity } from './subscriptions/subscription.entity';
import { DeliveriesController, SubscriptionDeliveriesController } from './delivery-log/deliveries.controller';
import { DeliveryLogRepository } from './delivery-log/delivery-log.repository';
import { SUBSCRIPTION_PROVIDERS } from './subscriptions/subscription-providers';
import { SubscriptionsController } from './subscriptions/subscriptions.controller';

@Module({})
export class NotificationModule {
  static forRoot(config: NotificationConfig, logger: Logger): DynamicModule {
    return {
      module: NotificationModule,
      imports: [
        observabilityModuleFor({ logger, postgres: true }),
        kafkaModuleFor({
          service: 'notification',
          config,
          logger,
          topics: [Topic.ArticleEnrichedV1, Topic.NotificationV1, Topic.DeadLetterV1],
        }),
        databaseModuleFor({
          service: 'notification',
          config,
          schema: NOTIFICATION_SCHEMA,
          entities: [SubscriptionEntity],
          migrations: NOTIFICATION_MIGRATIONS,
        }),
      ],
      controllers: [
        ArticleMatchingHandler,
        SubscriptionsController,
        SubscriptionDeliveriesController,
        DeliveriesController,
      ],
      providers: [
        { provide: NOTIFICATION_CONFIG, useValue: config },
        ...SUBSCRIPTION_PROVIDERS,
        DeliveryRepository,
        DeliveryLogRepository,
        DeliveryWorker,
      ],
    };
  }
}
