import pino, { type Logger } from 'pino';

export interface RootLoggerOptions {
  service: string;
  level: string;
  format: 'json' | 'pretty';
}

/**
 * Connection strings: logged with only their password masked, since the host and database name are
 * what an operator needs to see in a connection error.
 */
const URL_KEYS = ['DATABASE_URL', 'DATABASE_ADMIN_URL', 'databaseUrl', 'connectionString'];

/** Never log these, wherever they appear in a log object (pino paths: `*` is one level). */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.secret',
  '*.signingSecret',
  '*.signingSecrets',
  '*.encryptionKey',
  '*.NOTIFICATION_ENCRYPTION_KEY',
  '*.NOTIFICATION_ENCRYPTION_OLD_KEYS',
  'KAFKA_SASL_PASSWORD',
  '*.KAFKA_SASL_PASSWORD',
  // kafkajs and pg options, should a client's settings ever be logged.
  'sasl.password',
  '*.sasl.password',
  'ssl.key',
  '*.ssl.key',
  '*.password',
  '*.apiKey',
  'secret',
  'password',
  ...URL_KEYS.flatMap((key) => [key, `*.${key}`]),
];

const CENSORED = '[redacted]';

/** `postgres://newsflow:[redacted]@db:5432/newsflow`: the URL without its password (if it has one). */
export function withoutUrlPassword(value: string): string {
  if (!URL.canParse(value)) return CENSORED;
  const url = new URL(value);
  if (url.password === '') return value;
  url.password = '';
  // URL would percent-encode brackets in the password, so the marker goes in after serialising.
  return url.toString().replace(`//${url.username}@`, `//${url.username}:${CENSORED}@`);
}

/** pino's redaction: what REDACTED_PATHS name is replaced, URLs keep all but their password. */
export const LOG_REDACTION = {
  paths: REDACTED_PATHS,
  censor: (value: unknown, path: string[]): unknown => {
    const key = path.at(-1);
    if (key !== undefined && URL_KEYS.includes(key) && typeof value === 'string') {
      return withoutUrlPassword(value);
    }
    return CENSORED;
  },
};

/**
 * One pino logger per process: Nest's logger, HTTP request logs and the framework-free libs all log
 * through it (as children), so every line is JSON with the same base fields.
 */
export function createRootLogger(options: RootLoggerOptions): Logger {
  return pino({
    level: options.level,
    base: { service: options.service },
    redact: LOG_REDACTION,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    transport:
      options.format === 'pretty'
        ? {
            target: 'pino-pretty',
            options: { singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' },
          }
        : undefined,
  });
}
