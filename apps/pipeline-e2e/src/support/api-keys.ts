import { execFile } from 'node:child_process';
import path from 'node:path';

import { repoRoot } from './service-process';

/** A notification API key from the built `api-key` CLI, as an operator creates one. */
export function createApiKey(databaseUrl: string, name: string): Promise<string> {
  const cli = path.join(
    repoRoot(),
    'dist/apps/notification/apps/notification/src/app/api-keys/api-key.cli.js',
  );
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [cli, 'create', '--name', name],
      { env: { ...process.env, DATABASE_URL: databaseUrl } },
      (error, stdout, stderr) =>
        error ? reject(new Error(`api-key create: ${stderr}`)) : resolve(stdout.trim()),
    ),
  );
}
