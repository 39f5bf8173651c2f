import 'reflect-metadata';

import { bootService, consumerTransportFor } from '@newsflow/service-kit';

import { loadNotificationConfig } from './app/notification.config';
import { NotificationModule } from './app/notification.module';

bootService({
  name: 'notification',
  loadConfig: loadNotificationConfig,
  module: (config, logger) => NotificationModule.forRoot(config, logger),
  consumer: (app, config, logger) =>
    consumerTransportFor(app, { stage: 'notification', groupId: config.KAFKA_GROUP_ID, config, logger }),
  openApi: {
    title: 'Newsflow notification API',
    description:
      'Subscriptions to articles, delivered as signed webhooks (Standard Webhooks). Every route needs an API key (`npm run api-key -- create`).',
    bearerAuth: true,
  },
});
