import { createHmac, timingSafeEqual } from 'node:crypto';

import { generateSigningSecret, signWebhook, signWebhookWithAll } from './webhook-signature';

/** A receiver's check, written from the specification: any `v1,` signature made with its secret. */
function verifies(secret: string, header: string, signed: string): boolean {
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
    .update(signed)
    .digest();
  return header.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    const given = Buffer.from(signature ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

describe('signing with several secrets (rotation overlap)', () => {
  const message = { id: 'msg_1', timestamp: 1_700_000_000, body: '{"a":1}' };

  it('puts one space-separated v1 signature per secret in the header, current first', () => {
    const [current, previous] = [generateSigningSecret(), generateSigningSecret()];
    const header = signWebhookWithAll({ ...message, secrets: [current, previous] });
    expect(header.split(' ')).toEqual([
      signWebhook({ ...message, secret: current }),
      signWebhook({ ...message, secret: previous }),
    ]);
    const signed = `${message.id}.${message.timestamp}.${message.body}`;
    expect(verifies(current, header, signed)).toBe(true);
    expect(verifies(previous, header, signed)).toBe(true);
    expect(verifies(generateSigningSecret(), header, signed)).toBe(false);
  });

  it('with one secret is exactly the single signature', () => {
    const secret = generateSigningSecret();
    expect(signWebhookWithAll({ ...message, secrets: [secret] })).toBe(signWebhook({ ...message, secret }));
  });

  it('refuses to sign with no secret at all', () => {
    expect(() => signWebhookWithAll({ ...message, secrets: [] })).toThrow('no signing secret');
  });
});
