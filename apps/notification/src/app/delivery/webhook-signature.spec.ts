import { createHmac } from 'node:crypto';

import { generateSigningSecret, signWebhook } from './webhook-signature';

describe('webhook signatures (Standard Webhooks)', () => {
  it('matches the specification example', () => {
    // The worked example of the Standard Webhooks specification.
    const signature = signWebhook({
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
    });
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs id, timestamp and body with the decoded secret', () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64'))
      .update('a.1.{}')
      .digest('base64');
    expect(signWebhook({ secret, id: 'a', timestamp: 1, body: '{}' })).toBe(`v1,${expected}`);
  });

  it('refuses a secret without the whsec_ prefix', () => {
    expect(() => signWebhook({ secret: 'abc', id: 'a', timestamp: 1, body: '' })).toThrow(/whsec_/);
  });
});
