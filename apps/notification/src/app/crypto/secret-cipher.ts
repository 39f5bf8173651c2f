import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** AES-256-GCM: a 12-byte random nonce per value, a 16-byte tag, the key's id in front. */
const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** `enc1.<key id>.<nonce>.<ciphertext>.<tag>` (base64url parts): what the database holds. */
const SEALED_PREFIX = 'enc1';
/**
 * A value stored before there was a key (or by a development instance without one): readable, and
 * sealed by the first instance that has a key (SubscriptionSecrets.resealAll at start).
 */
const PLAINTEXT_PREFIX = 'plain';

export class SecretCipherError extends Error {
  readonly code = 'SECRET_UNREADABLE';
}

/** A short public id of a key, stored beside each value sealed with it, so keys can rotate. */
export function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('newsflow-notification-key-id:').update(key).digest('hex').slice(0, 12);
}

/** Parses a key given as base64 (standard or url-safe) of exactly 32 bytes. */
export function parseEncryptionKey(text: string): Buffer {
  const trimmed = text.trim();
  // Buffer.from(..., 'base64') skips characters it does not know; refuse them instead.
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : Buffer.alloc(0);
  if (key.length !== KEY_BYTES) {
    throw new Error(`must be ${KEY_BYTES} random bytes, base64-encoded (e.g. openssl rand -base64 32)`);
  }
  return key;
}

export interface SecretCipherKeys {
  /** Seals new values; undefined only outside production (values are then kept as `plain.`). */
  current: Buffer | undefined;
  /** Older keys, to open values sealed before a key rotation until they are resealed. */
  previous: readonly Buffer[];
}

/**
 * Encrypts secrets at rest with AES-256-GCM. Each value is bound to its context (e.g. the subscription
 * id) as additional authenticated data, so a sealed value copied onto another row does not open.
 */
export class SecretCipher {
  private readonly currentId: string | undefined;
  private readonly keys = new Map<string, Buffer>();

  constructor(keys: SecretCipherKeys) {
    for (const key of keys.previous) this.keys.set(keyIdOf(key), key);
    if (keys.current) {
      this.currentId = keyIdOf(keys.current);
      this.keys.set(this.currentId, keys.current);
    }
  }

  /** Whether new values are encrypted (a key is configured). */
  get encrypts(): boolean {
    return this.currentId !== undefined;
  }

  seal(plaintext: string, context: string): string {
    if (this.currentId === undefined) return `${PLAINTEXT_PREFIX}.${plaintext}`;
    const key = this.keys.get(this.currentId) as Buffer;
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [SEALED_PREFIX, this.currentId, nonce, ciphertext, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string, context: string): string {
    if (sealed.startsWith(`${PLAINTEXT_PREFIX}.`)) return sealed.slice(PLAINTEXT_PREFIX.length + 1);
    const parts = sealed.split('.');
    const [prefix, keyId, nonce, ciphertext, tag] = parts;
    if (
      parts.length !== 5 ||
      prefix !== SEALED_PREFIX ||
      !keyId ||
      !nonce ||
      ciphertext === undefined ||
      !tag
    ) {
      throw new SecretCipherError('not a sealed secret');
    }
    const key = this.keys.get(keyId);
    if (!key) {
      throw new SecretCipherError(
        `sealed with key ${keyId}, which is not configured (NOTIFICATION_ENCRYPTION_KEY or NOTIFICATION_ENCRYPTION_OLD_KEYS)`,
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(nonce, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      // GCM's tag check failed: changed bytes, another row's value, or another key with the same id.
      throw new SecretCipherError(`secret sealed with key ${keyId} failed its integrity check`);
    }
  }

  /** Whether a stored value should be sealed again: plaintext, or sealed with a key that is not current. */
  needsResealing(sealed: string): boolean {
    if (this.currentId === undefined) return false;
    return !sealed.startsWith(`${SEALED_PREFIX}.${this.currentId}.`);
  }
}
