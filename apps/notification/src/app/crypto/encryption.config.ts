import { z } from 'zod';

import { ConfigError } from '@newsflow/config';

import { parseEncryptionKey } from './secret-cipher';

const encryptionKey = z.string().transform((text, context) => {
  try {
    return parseEncryptionKey(text);
  } catch (error) {
    context.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const EncryptionEnvSchema = z.object({
  NODE_ENV: z.string().optional(),
  /** Encrypts signing secrets at rest (AES-256-GCM): 32 random bytes, base64. Required in production. */
  NOTIFICATION_ENCRYPTION_KEY: encryptionKey.optional(),
  /** Keys replaced by NOTIFICATION_ENCRYPTION_KEY, comma-separated: read, and resealed at start. */
  NOTIFICATION_ENCRYPTION_OLD_KEYS: z
    .string()
    .default('')
    .transform((text, context) => {
      const keys: Buffer[] = [];
      for (const [index, part] of text.split(',').entries()) {
        if (part.trim() === '') continue;
        try {
          keys.push(parseEncryptionKey(part));
        } catch (error) {
          context.addIssue({ code: 'custom', message: `key ${index + 1}: ${(error as Error).message}` });
        }
      }
      return keys;
    }),
});

export type EncryptionEnv = z.infer<typeof EncryptionEnvSchema>;

/**
 * Production must encrypt secrets at rest: without a key the service refuses to start, naming the
 * variable. Elsewhere (tests, a bare `node main.js`) secrets are kept as plaintext with a warning;
 * `npm start` generates a key into .cache/.
 */
export function assertEncryptionKeyForEnvironment(config: EncryptionEnv): void {
  if (config.NODE_ENV === 'production' && config.NOTIFICATION_ENCRYPTION_KEY === undefined) {
    throw new ConfigError([
      {
        variable: 'NOTIFICATION_ENCRYPTION_KEY',
        message:
          'is required when NODE_ENV=production: 32 random bytes, base64 (openssl rand -base64 32), to encrypt signing secrets at rest',
      },
    ]);
  }
}
