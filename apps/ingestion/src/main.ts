import 'reflect-metadata';

import { bootService } from '@newsflow/service-kit';

import { loadIngestionConfig } from './app/ingestion.config';
import { IngestionModule } from './app/ingestion.module';

bootService({
  name: 'ingestion',
  loadConfig: loadIngestionConfig,
  module: (config, logger) => IngestionModule.forRoot(config, logger),
});
