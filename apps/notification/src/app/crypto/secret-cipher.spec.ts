import { randomBytes } from 'node:crypto';

import { SecretCipher, SecretCipherError, keyIdOf, parseEncryptionKey } from './secret-cipher';

const key = () => randomBytes(32);
const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const context = 'subscription:6f1c2a0e-8a53-4c1e-9d57-0b6a2c1f4e11';

/** Flips one bit of the base64url part at `index` of a sealed value. */
function tamper(sealed: string, index: number): string {
  const parts = sealed.split('.');
  const bytes = Buffer.from(parts[index] as string, 'base64url');
  bytes[0] = (bytes[0] as number) ^ 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

describe('SecretCipher (AES-256-GCM)', () => {
  const current = key();
  const cipher = new SecretCipher({ current, previous: [] });

  it('round-trips, with the key id in front and nothing of the plaintext in the sealed value', () => {
    const sealed = cipher.seal(secret, context);
    expect(sealed).toMatch(new RegExp(`^enc1\\.${keyIdOf(current)}\\.[\\w-]{16}\\.[\\w-]+\\.[\\w-]{22}$`));
    expect(sealed).not.toContain(secret.slice(6, 20));
    expect(cipher.open(sealed, context)).toBe(secret);
  });

  it('uses a fresh nonce each time: the same secret seals differently', () => {
    expect(cipher.seal(secret, context)).not.toBe(cipher.seal(secret, context));
  });

  it.each([
    ['the nonce', 2],
    ['the ciphertext', 3],
    ['the tag', 4],
  ])('detects a changed bit in %s', (_part, index) => {
    expect(() => cipher.open(tamper(cipher.seal(secret, context), index), context)).toThrow(
      SecretCipherError,
    );
  });

  it("does not open another row's value (the context is authenticated)", () => {
    const sealed = cipher.seal(secret, context);
    expect(() => cipher.open(sealed, 'subscription:someone-else')).toThrow(/integrity check/);
  });

  it('does not open with another key, and names a key it does not have', () => {
    const other = new SecretCipher({ current: key(), previous: [] });
    const sealed = cipher.seal(secret, context);
    expect(() => other.open(sealed, context)).toThrow(
      new RegExp(`key ${keyIdOf(current)}, which is not configured`),
    );
  });

  it('opens values sealed with a previous key after a rotation, and wants them resealed', () => {
    const rotated = new SecretCipher({ current: key(), previous: [current] });
    const old = cipher.seal(secret, context);
    expect(rotated.open(old, context)).toBe(secret);
    expect(rotated.needsResealing(old)).toBe(true);
    const fresh = rotated.seal(secret, context);
    expect(rotated.needsResealing(fresh)).toBe(false);
    expect(() => cipher.open(fresh, context)).toThrow(SecretCipherError);
  });

  it('keeps values as plain. without a key (development), and reseals them once a key is set', () => {
    const keyless = new SecretCipher({ current: undefined, previous: [] });
    expect(keyless.encrypts).toBe(false);
    const stored = keyless.seal(secret, context);
    expect(stored).toBe(`plain.${secret}`);
    expect(keyless.needsResealing(stored)).toBe(false);
    expect(cipher.open(stored, context)).toBe(secret);
    expect(cipher.needsResealing(stored)).toBe(true);
  });

  it('refuses values that are not sealed secrets', () => {
    expect(() => cipher.open(secret, context)).toThrow('not a sealed secret');
    expect(() => cipher.open('enc1.abc', context)).toThrow('not a sealed secret');
  });
});

describe('parseEncryptionKey', () => {
  it('accepts 32 bytes in standard or url-safe base64', () => {
    const bytes = key();
    expect(parseEncryptionKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseEncryptionKey(` ${bytes.toString('base64url')}\n`)).toEqual(bytes);
  });

  it.each([
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['a passphrase', 'correct horse battery staple correct horse'],
    ['hex', randomBytes(32).toString('hex')],
  ])('refuses %s', (_label, text) => {
    expect(() => parseEncryptionKey(text)).toThrow(/32 random bytes, base64/);
  });
});
