import 'reflect-metadata';

import { bootService, consumerTransportFor } from '@newsflow/service-kit';

import { loadStorageConfig } from './app/storage.config';
import { StorageModule } from './app/storage.module';

bootService({
  name: 'storage',
  loadConfig: loadStorageConfig,
  module: (config, logger) => StorageModule.forRoot(config, logger),
  consumer: (app, config, logger) =>
    consumerTransportFor(app, { stage: 'storage', groupId: config.KAFKA_GROUP_ID, config, logger }),
  openApi: {
    title: 'Newsflow storage API',
    description: 'Query the articles Newsflow has ingested and enriched.',
  },
});
