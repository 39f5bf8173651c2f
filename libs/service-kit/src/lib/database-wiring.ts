import { TypeOrmModule } from '@nestjs/typeorm';
import { type DataSourceOptions } from 'typeorm';

import { type DatabaseEnv } from '@newsflow/config';
import {
  type ServiceDatabaseOptions,
  ensureDatabaseExists,
  openServiceDatabase,
  postgresSslFromEnv,
  serviceDataSourceOptions,
} from '@newsflow/database';

/**
 * TypeORM for a service that owns one Postgres schema: creates the database if missing and runs the
 * service's migrations (under an advisory lock) before anything else touches the database.
 */
export function databaseModuleFor(input: {
  service: string;
  config: DatabaseEnv;
  schema: string;
  entities: ServiceDatabaseOptions['entities'];
  migrations: ServiceDatabaseOptions['migrations'];
}) {
  return TypeOrmModule.forRootAsync({
    useFactory: async () => {
      const ssl = postgresSslFromEnv(input.config);
      await ensureDatabaseExists(input.config.DATABASE_URL, { ssl });
      return serviceDataSourceOptions({
        url: input.config.DATABASE_URL,
        schema: input.schema,
        entities: input.entities,
        migrations: input.migrations,
        poolSize: input.config.DATABASE_POOL_SIZE,
        applicationName: `newsflow-${input.service}`,
        ssl,
      });
    },
    dataSourceFactory: async (options) => openServiceDatabase(options as DataSourceOptions, input.schema),
  });
}
