import { z } from 'zod';

import { readableFileFromEnv } from './env-values';
import { type ConfigProblem } from './load-config';

export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export type DatabaseSslMode = (typeof DATABASE_SSL_MODES)[number];

/** Query parameters of a connection string that pg turns into its `ssl` option. */
const URL_SSL_PARAMETERS = ['sslmode', 'ssl', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat'];

/**
 * TLS to Postgres, with libpq's meaning of the modes: `require` encrypts without checking the server's
 * certificate, `verify-full` checks the certificate chain and the host name. Unset leaves it to
 * `sslmode` in DATABASE_URL (as pg reads it) and otherwise to no TLS.
 */
export const DatabaseTlsEnvSchema = z.object({
  DATABASE_SSL: z
    .enum(DATABASE_SSL_MODES, { message: `must be one of ${DATABASE_SSL_MODES.join(', ')}` })
    .optional(),
  /** CA bundle for `verify-full`, when the server's certificate is not from a CA Node already trusts. */
  DATABASE_SSL_CA_FILE: readableFileFromEnv().optional(),
});

export type DatabaseTlsEnv = z.infer<typeof DatabaseTlsEnvSchema>;

/** The TLS parameters a connection string carries, e.g. `sslmode` in `...?sslmode=verify-full`. */
export function sslParametersOf(databaseUrl: string): string[] {
  if (!URL.canParse(databaseUrl)) return [];
  const parameters = new URL(databaseUrl).searchParams;
  return URL_SSL_PARAMETERS.filter((name) => parameters.has(name));
}

export function databaseTlsProblems(env: DatabaseTlsEnv & { DATABASE_URL: string }): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const inUrl = sslParametersOf(env.DATABASE_URL);
  if (env.DATABASE_SSL !== undefined && inUrl.length > 0) {
    // pg lets the URL's parameters override its `ssl` option, so the variable would be silently lost.
    problems.push({
      variable: 'DATABASE_SSL',
      message: `set either DATABASE_SSL or ${inUrl.join(', ')} in DATABASE_URL, not both`,
    });
  }
  if (env.DATABASE_SSL_CA_FILE !== undefined && env.DATABASE_SSL !== 'verify-full') {
    problems.push({
      variable: 'DATABASE_SSL_CA_FILE',
      message:
        'only used with DATABASE_SSL=verify-full (require checks no certificate; with sslmode in ' +
        'DATABASE_URL, name the CA there as sslrootcert)',
    });
  }
  return problems;
}
