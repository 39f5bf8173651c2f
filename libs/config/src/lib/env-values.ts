import { accessSync, constants, statSync } from 'node:fs';

import { z } from 'zod';

/** `true/false/1/0/yes/no`, as people write them in env files. */
export const booleanFromEnv = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(defaultValue ? 'true' : 'false')
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const portFromEnv = (defaultPort: number) =>
  z.coerce.number().int().min(0).max(65535).default(defaultPort);

export const positiveIntFromEnv = (defaultValue: number) =>
  z.coerce.number().int().positive().default(defaultValue);

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, constants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The path of a file read at start (a CA bundle, a client certificate or key, as mounted secrets are).
 * Checked here so that a typo stops the service at boot naming the variable, not at the first connect.
 * The config keeps the path, never the content, so a logged config shows no key material.
 */
export const readableFileFromEnv = () =>
  z.string().refine(isReadableFile, { message: 'must be the path of a readable file' });
