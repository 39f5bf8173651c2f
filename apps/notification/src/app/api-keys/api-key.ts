import { createHash, randomBytes } from 'node:crypto';

/** Recognisable in logs, configs and secret scanners; the rest is 32 random bytes, base64url. */
export const API_KEY_PREFIX = 'nfk_';
const API_KEY = /^nfk_[A-Za-z0-9_-]{43}$/;

/** A new key: 256 random bits, so it cannot be guessed or brute-forced from its hash. */
export function generateApiKey(): string {
  return `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function isWellFormedApiKey(key: string): boolean {
  return API_KEY.test(key);
}

/**
 * What is stored of a key: its SHA-256, hex. A fast hash is right here, unlike for passwords: bcrypt or
 * argon2 slow down guessing low-entropy secrets, but a 256-bit random key cannot be guessed however
 * fast the hash; a slow hash would only cost ~100 ms of CPU per request, and its salt would rule out
 * finding the key by an indexed lookup of its hash.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The start of a key, stored to recognise it in `api-key list` without keeping the key. */
export function apiKeyPrefixOf(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}
