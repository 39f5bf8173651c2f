import { readFileSync } from 'node:fs';

import { type DatabaseTlsEnv } from '@newsflow/config';

/** pg's `ssl` option: false for no TLS, or the Node TLS options we set (a subset both pg and TypeORM take). */
export type PostgresSsl = false | { rejectUnauthorized: boolean; ca?: string };

type ReadFile = (path: string) => string;
const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

/**
 * pg's `ssl` option from DATABASE_SSL, with libpq's meaning of the modes (pg 8 itself reads
 * `sslmode=require` in a URL as verify-full). Undefined when DATABASE_SSL is unset, which leaves TLS
 * to `sslmode` in DATABASE_URL, or to PGSSLMODE, as pg decides; loadConfig refuses both at once.
 */
export function postgresSslFromEnv(
  env: DatabaseTlsEnv,
  readFile: ReadFile = readUtf8,
): PostgresSsl | undefined {
  switch (env.DATABASE_SSL) {
    case undefined:
      return undefined;
    case 'disable':
      return false;
    case 'require':
      // Encrypted against eavesdropping, but any certificate is accepted: no protection from an impostor.
      return { rejectUnauthorized: false };
    case 'verify-full':
      // Node checks the chain and the host name; the CA file replaces Node's trusted CAs when given.
      return env.DATABASE_SSL_CA_FILE === undefined
        ? { rejectUnauthorized: true }
        : { rejectUnauthorized: true, ca: readFile(env.DATABASE_SSL_CA_FILE) };
  }
}
