/**
 * `npm run api-key -- create --name <name> | list | revoke <id>`: manages the keys of the notification
 * API. Runs the service's migrations first (under their lock), so it works before the service has
 * ever started. Built into dist too: `node dist/apps/notification/apps/notification/src/app/api-keys/api-key.cli.js`.
 */
import 'reflect-metadata';

import { ConfigError, type DatabaseEnv, DatabaseEnvSchema, loadConfig } from '@newsflow/config';
import {
  ensureDatabaseExists,
  openServiceDatabase,
  postgresSslFromEnv,
  serviceDataSourceOptions,
} from '@newsflow/database';

import { NOTIFICATION_MIGRATIONS } from '../migrations';
import { NOTIFICATION_SCHEMA } from '../notification.config';
import { ApiKeyRepository } from './api-key.repository';
import { type WithRepository, runApiKeyCommand } from './api-key-commands';

async function main(argv: readonly string[]): Promise<number> {
  let config: DatabaseEnv;
  try {
    config = loadConfig(DatabaseEnvSchema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`api-key: ${error.message}\n`);
    return 78;
  }
  const withRepository: WithRepository = async (use) => {
    const ssl = postgresSslFromEnv(config);
    await ensureDatabaseExists(config.DATABASE_URL, { ssl });
    const dataSource = await openServiceDatabase(
      serviceDataSourceOptions({
        url: config.DATABASE_URL,
        ssl,
        schema: NOTIFICATION_SCHEMA,
        entities: [],
        migrations: NOTIFICATION_MIGRATIONS,
        // Two: the migration lock holds one connection while the migrations run on another.
        poolSize: 2,
        applicationName: 'newsflow-notification-api-key-cli',
      }),
      NOTIFICATION_SCHEMA,
    );
    try {
      return await use(new ApiKeyRepository(dataSource));
    } finally {
      await dataSource.destroy();
    }
  };
  return runApiKeyCommand(argv, withRepository, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`api-key: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
