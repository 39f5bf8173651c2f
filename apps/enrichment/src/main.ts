import 'reflect-metadata';

import { bootService, consumerTransportFor } from '@newsflow/service-kit';

import { loadEnrichmentConfig } from './app/enrichment.config';
import { EnrichmentModule } from './app/enrichment.module';

bootService({
  name: 'enrichment',
  loadConfig: loadEnrichmentConfig,
  module: (config, logger) => EnrichmentModule.forRoot(config, logger),
  consumer: (app, config, logger) =>
    consumerTransportFor(app, { stage: 'enrichment', groupId: config.KAFKA_GROUP_ID, config, logger }),
});
