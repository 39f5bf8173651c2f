import 'reflect-metadata';

import { bootService } from '@newsflow/service-kit';

import { loadIngestionConfig } from './app/ingestion.config';
import { IngestionModule } from './app/ingestion.module';

bootService({
  name: 'ingestion',
  loadConfig: loadIngestionConfig,
  module: (config, logger) => IngestionModule.forRoot(config, logger),
  openApi: {
    title: 'Newsflow ingestion API',
    description: 'Bucket event notifications (S3 / MinIO shape) for the ingestion service.',
  },
});
