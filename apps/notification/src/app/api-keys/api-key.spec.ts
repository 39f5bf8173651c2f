import { createHash } from 'node:crypto';

import { apiKeyPrefixOf, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key';

describe('API keys', () => {
  it('are nfk_ and 32 random bytes in base64url, different each time', () => {
    const keys = Array.from({ length: 50 }, generateApiKey);
    for (const key of keys) {
      expect(key).toMatch(/^nfk_[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(key.slice(4), 'base64url')).toHaveLength(32);
      expect(isWellFormedApiKey(key)).toBe(true);
    }
    expect(new Set(keys).size).toBe(50);
  });

  it('are stored as their SHA-256 in hex, which does not contain the key', () => {
    const key = generateApiKey();
    const hash = hashApiKey(key);
    expect(hash).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(key.slice(4, 12));
    expect(hashApiKey(`${key}x`)).not.toBe(hash);
  });

  it('keep only a short prefix for listing', () => {
    const key = generateApiKey();
    expect(apiKeyPrefixOf(key)).toBe(key.slice(0, 10));
  });

  it.each([
    '',
    'Bearer x',
    'nfk_short',
    `nfk_${'a'.repeat(44)}`,
    `xyz_${'a'.repeat(43)}`,
    `nfk_${'a'.repeat(42)}!`,
  ])('tells a malformed key %j from a real one', (key) => {
    expect(isWellFormedApiKey(key)).toBe(false);
  });
});
