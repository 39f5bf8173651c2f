import pino, { type Logger } from 'pino';

export interface RootLoggerOptions {
  service: string;
  level: string;
  format: 'json' | 'pretty';
}

/** Never log these, wherever they appear in a log object. */
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
  '*.password',
  '*.apiKey',
  'secret',
  'password',
];

/**
 * One pino logger per process: Nest's logger, HTTP request logs and the framework-free libs all log
 * through it (as children), so every line is JSON with the same base fields.
 */
export function createRootLogger(options: RootLoggerOptions): Logger {
  return pino({
    level: options.level,
    base: { service: options.service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
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
