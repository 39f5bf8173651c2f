import { createHmac, randomBytes } from 'node:crypto';

/** Standard Webhooks secrets: `whsec_` followed by base64 of the raw key. */
const SECRET_PREFIX = 'whsec_';

export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

/**
 * The `webhook-signature` header value of the Standard Webhooks specification: `v1,` followed by the
 * base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the decoded secret.
 */
export function signWebhook(input: { secret: string; id: string; timestamp: number; body: string }): string {
  if (!input.secret.startsWith(SECRET_PREFIX)) throw new Error('signing secret must start with whsec_');
  const key = Buffer.from(input.secret.slice(SECRET_PREFIX.length), 'base64');
  const signature = createHmac('sha256', key)
    .update(`${input.id}.${input.timestamp}.${input.body}`)
    .digest('base64');
  return `v1,${signature}`;
}

/**
 * The `webhook-signature` header for every secret that signs now (during a rotation, the new and the
 * previous ones): Standard Webhooks lets it carry several space-separated signatures, and a receiver
 * accepts the message when any of them verifies with its secret.
 */
export function signWebhookWithAll(input: {
  secrets: readonly string[];
  id: string;
  timestamp: number;
  body: string;
}): string {
  if (input.secrets.length === 0) throw new Error('no signing secret');
  return input.secrets.map((secret) => signWebhook({ ...input, secret })).join(' ');
}
