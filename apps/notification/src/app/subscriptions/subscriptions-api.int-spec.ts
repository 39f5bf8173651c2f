/**
 * The subscriptions API as clients see it, on the real NotificationModule (global API-key guard,
 * migrations) over HTTP, with a scratch database of DATABASE_URL and the broker of KAFKA_BROKERS.
 * Webhooks may not target private addresses here (WEBHOOK_ALLOW_PRIVATE_TARGETS=false).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { ApiKeyRepository } from '../api-keys/api-key.repository';
import { runApiKeyCommand } from '../api-keys/api-key-commands';
import { WebhookSender } from '../delivery/webhook-sender';
import { WebhookSigningSecrets } from '../delivery/webhook-signing-secrets';
import { SubscriptionSecrets } from './subscription-secrets';
import { type NotificationTestApp, startNotificationTestApp } from './testing/notification-test-app';

/** Rotation overlap of this suite: 1.5 s. */
const OVERLAP_HOURS = 1.5 / 3600;
/** Public addresses in documentation ranges would need DNS; a literal public IP needs none. */
const PUBLIC_HOOK = 'https://93.184.215.14/hooks/newsflow';

let service: NotificationTestApp;

beforeAll(async () => {
  service = await startNotificationTestApp('notif_api', {
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'false',
    WEBHOOK_SECRET_OVERLAP_HOURS: String(OVERLAP_HOURS),
  });
});

afterAll(async () => {
  await service?.close();
});

interface Subscription {
  id: string;
  name: string;
  webhookUrl: string;
  status: string;
  filter: Record<string, unknown>;
  keywords?: string[];
  oncePerStory: boolean;
  digestMinutes: number | null;
  rateLimitPerMinute: number | null;
  failingSince: string | null;
  disabledReason: string | null;
  disabledAt: string | null;
  signingSecret?: string;
}

interface BadRequest {
  statusCode: number;
  message: string[];
  problems: { path: string; reason: string; position?: number }[];
}

async function create(body: Record<string, unknown>): Promise<Subscription> {
  const response = await service.request('/api/subscriptions', { method: 'POST', body });
  expect(response.status).toBe(201);
  return response.body as Subscription;
}

const filterBody = (overrides: Record<string, unknown> = {}) => ({
  name: 'Rates watch',
  webhookUrl: PUBLIC_HOOK,
  filter: { query: '"interest rates" AND (ECB OR Fed) NOT crypto', languages: ['en'] },
  ...overrides,
});

/** Standard Webhooks verification written from the specification: any `v1,` entry made with the secret. */
function verifies(secret: string, headers: http.IncomingHttpHeaders, body: string): boolean {
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`)
    .digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

describe('API keys', () => {
  const routes: [string, string, unknown?][] = [
    ['GET', '/api/subscriptions'],
    ['POST', '/api/subscriptions', filterBody()],
    ['GET', '/api/subscriptions/00000000-0000-4000-8000-000000000000'],
    ['PATCH', '/api/subscriptions/00000000-0000-4000-8000-000000000000', { name: 'x' }],
    ['POST', '/api/subscriptions/00000000-0000-4000-8000-000000000000/pause'],
    ['POST', '/api/subscriptions/00000000-0000-4000-8000-000000000000/resume'],
    ['POST', '/api/subscriptions/00000000-0000-4000-8000-000000000000/secret/rotate'],
    ['DELETE', '/api/subscriptions/00000000-0000-4000-8000-000000000000'],
    // The delivery log's routes are covered by the same global guard without opting in.
    ['GET', '/api/subscriptions/00000000-0000-4000-8000-000000000000/deliveries'],
    ['POST', '/api/subscriptions/00000000-0000-4000-8000-000000000000/redeliver?since=2026-01-01T00:00:00Z'],
    ['GET', '/api/deliveries/00000000-0000-4000-8000-000000000000'],
    ['POST', '/api/deliveries/00000000-0000-4000-8000-000000000000/redeliver'],
  ];
  const badCredentials: [string, Record<string, string>][] = [
    ['no Authorization header', { authorization: '' }],
    ['another scheme', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['a malformed key', { authorization: 'Bearer not-a-key' }],
    ['an unknown key', { authorization: `Bearer nfk_${'A'.repeat(43)}` }],
  ];

  it.each(
    routes.flatMap(([method, path, body]) =>
      badCredentials.map(([label, headers]) => [method, path, label, headers, body] as const),
    ),
  )('%s %s with %s → 401 with a JSON error and no data', async (method, path, _label, headers, body) => {
    const existing = await create(filterBody({ name: 'must not leak' }));
    const response = await service.request(
      path.replace('00000000-0000-4000-8000-000000000000', existing.id),
      {
        method,
        body,
        headers,
      },
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="newsflow"');
    expect(response.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    expect(JSON.stringify(response.body)).not.toMatch(/must not leak|webhook|filter|whsec_/);
    // Nothing changed either.
    const after = await service.request(`/api/subscriptions/${existing.id}`);
    expect(after.body).toMatchObject({ name: 'must not leak', status: 'active' });
  });

  it('/health, /metrics and the OpenAPI document need no key', async () => {
    for (const path of ['/health', '/metrics', '/api/docs-json']) {
      const response = await fetch(`${service.baseUrl}${path}`);
      expect([200, 503]).toContain(response.status);
    }
    const docs = (await (await fetch(`${service.baseUrl}/api/docs-json`)).json()) as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(docs.paths)).toEqual(
      expect.arrayContaining([
        '/api/subscriptions',
        '/api/subscriptions/{id}',
        '/api/subscriptions/{id}/secret/rotate',
      ]),
    );
  });

  it('the CLI commands create, list and revoke keys; a revoked key gets 401 at once', async () => {
    const lines = { out: [] as string[], err: [] as string[] };
    const output = {
      out: (line: string) => lines.out.push(line),
      err: (line: string) => lines.err.push(line),
    };
    const repository = new ApiKeyRepository(service.dataSource);
    const withRepository = <T>(use: (r: ApiKeyRepository) => Promise<T>) => use(repository);

    expect(await runApiKeyCommand(['create', '--name', 'cli test'], withRepository, output)).toBe(0);
    const key = lines.out.pop() as string;
    expect(key).toMatch(/^nfk_[\w-]{43}$/);
    expect(lines.err.join('\n')).toMatch(/only time the key is shown/);
    const authorized = { headers: { authorization: `Bearer ${key}` } };
    expect((await service.request('/api/subscriptions', authorized)).status).toBe(200);

    expect(await runApiKeyCommand(['list'], withRepository, output)).toBe(0);
    const listed = lines.out.pop() as string;
    expect(listed).toContain('cli test');
    expect(listed).toContain(key.slice(0, 10));
    expect(listed).not.toContain(key);
    const id = /^([0-9a-f-]{36}) +cli test/m.exec(listed)?.[1] as string;

    expect(await runApiKeyCommand(['revoke', id], withRepository, output)).toBe(0);
    expect((await service.request('/api/subscriptions', authorized)).status).toBe(401);
    expect(await runApiKeyCommand(['revoke', id], withRepository, output)).toBe(1);
    expect(await runApiKeyCommand(['create'], withRepository, output)).toBe(2);

    // Only the hash is stored.
    const rows: { key_hash: string }[] = await service.dataSource.query(
      'SELECT key_hash FROM notification.api_keys',
    );
    expect(JSON.stringify(rows)).not.toContain(key.slice(4));
  });
});

describe('subscriptions CRUD', () => {
  it('creates with a filter and delivery options; the secret is shown once', async () => {
    const created = await create(
      filterBody({ oncePerStory: true, digestMinutes: 15, rateLimitPerMinute: 30 }),
    );
    expect(created).toMatchObject({
      name: 'Rates watch',
      webhookUrl: PUBLIC_HOOK,
      status: 'active',
      filter: { version: 1, query: '"interest rates" AND (ECB OR Fed) NOT crypto', languages: ['en'] },
      oncePerStory: true,
      digestMinutes: 15,
      rateLimitPerMinute: 30,
      failingSince: null,
      disabledReason: null,
      disabledAt: null,
    });
    expect(created.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);

    const read = await service.request(`/api/subscriptions/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...created, signingSecret: undefined, updatedAt: expect.any(String) });
    expect(JSON.stringify(read.body)).not.toContain('whsec_');
    const list = (await service.request('/api/subscriptions')).body as Subscription[];
    expect(list.map((subscription) => subscription.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain('whsec_');
  });

  it('still takes keywords, as clients written before filters send them, and shows them back', async () => {
    const created = await create({
      name: 'old client',
      webhookUrl: PUBLIC_HOOK,
      keywords: ['Putin', 'NATO'],
    });
    expect(created).toMatchObject({
      filter: { version: 1, keywords: ['Putin', 'NATO'] },
      keywords: ['Putin', 'NATO'],
      oncePerStory: false,
      digestMinutes: null,
    });
  });

  it('updates only what is given; null clears digest and rate limit', async () => {
    const created = await create(filterBody({ digestMinutes: 60, rateLimitPerMinute: 5 }));
    const patched = await service.request(`/api/subscriptions/${created.id}`, {
      method: 'PATCH',
      body: {
        name: 'Renamed',
        filter: { entities: { items: [{ name: 'Christine Lagarde' }] } },
        digestMinutes: null,
      },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: 'Renamed',
      webhookUrl: PUBLIC_HOOK,
      filter: {
        version: 1,
        entities: { match: 'any', minSalience: 0, items: [{ name: 'Christine Lagarde' }] },
      },
      digestMinutes: null,
      rateLimitPerMinute: 5,
    });
    const keywords = await service.request(`/api/subscriptions/${created.id}`, {
      method: 'PATCH',
      body: { keywords: ['ECB'] },
    });
    expect((keywords.body as Subscription).filter).toEqual({ version: 1, keywords: ['ECB'] });
  });

  it('pauses and resumes; resuming a disabled subscription clears why it was disabled', async () => {
    const created = await create(filterBody());
    const paused = await service.request(`/api/subscriptions/${created.id}/pause`, { method: 'POST' });
    expect(paused).toMatchObject({ status: 200, body: { status: 'paused' } });
    const resumed = await service.request(`/api/subscriptions/${created.id}/resume`, { method: 'POST' });
    expect(resumed).toMatchObject({ status: 200, body: { status: 'active' } });

    await service.dataSource.query(
      `UPDATE notification.subscriptions
          SET status = 'disabled', failing_since = now() - interval '5 days', disabled_at = now(),
              disabled_reason = 'failing for 5 days: receiver answered 500'
        WHERE id = $1`,
      [created.id],
    );
    const disabled = await service.request(`/api/subscriptions/${created.id}`);
    expect(disabled.body).toMatchObject({
      status: 'disabled',
      disabledReason: 'failing for 5 days: receiver answered 500',
      disabledAt: expect.any(String),
      failingSince: expect.any(String),
    });
    const again = await service.request(`/api/subscriptions/${created.id}/resume`, { method: 'POST' });
    expect(again.body).toMatchObject({
      status: 'active',
      disabledReason: null,
      disabledAt: null,
      failingSince: null,
    });
  });

  it('deletes; afterwards the subscription is 404 everywhere', async () => {
    const created = await create(filterBody());
    expect((await service.request(`/api/subscriptions/${created.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    for (const [method, path] of [
      ['GET', ''],
      ['PATCH', ''],
      ['DELETE', ''],
      ['POST', '/pause'],
      ['POST', '/resume'],
      ['POST', '/secret/rotate'],
    ] as const) {
      const response = await service.request(`/api/subscriptions/${created.id}${path}`, {
        method,
        body: method === 'PATCH' ? { name: 'x' } : undefined,
      });
      expect(response.status).toBe(404);
    }
    expect((await service.request('/api/subscriptions/not-a-uuid')).status).toBe(400);
  });
});

describe('bad input gets 400 with the reason', () => {
  it('a query syntax error names the field, the position and the reason', async () => {
    const response = await service.request('/api/subscriptions', {
      method: 'POST',
      body: filterBody({ filter: { query: '"interest rates" AND (ECB OR' } }),
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: [
        'filter.query: unexpected end of query after OR: expected a word, a "phrase" or ( at position 28',
      ],
      problems: [
        {
          path: 'filter.query',
          position: 28,
          reason: 'unexpected end of query after OR: expected a word, a "phrase" or (',
        },
      ],
    });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an unknown filter field', { filter: { colour: 'red' } }, /^filter: Unrecognized key/],
    ['an empty filter', { filter: {} }, /^filter: needs at least one of/],
    [
      'a bad entity id',
      { filter: { entities: { items: [{ id: 'Putin' }] } } },
      /^filter\.entities\.items\.0\.id: /,
    ],
    [
      'an inverted sentiment range',
      { filter: { sentiment: { min: 1, max: 0 } } },
      /^filter\.sentiment: min must not be above max/,
    ],
    ['both filter and keywords', { keywords: ['a'] }, /^keywords: give filter or keywords, not both/],
    ['neither filter nor keywords', { filter: undefined }, /^filter: a filter is needed/],
    [
      'a keyword without letters',
      { filter: undefined, keywords: ['!!'] },
      /^keywords\.0: has no letters or digits/,
    ],
    [
      'a loopback webhook',
      { webhookUrl: 'http://127.0.0.1:8080/hook' },
      /^webhookUrl: 127\.0\.0\.1 is a private or reserved address/,
    ],
    [
      'the metadata address',
      { webhookUrl: 'http://169.254.169.254/' },
      /^webhookUrl: 169\.254\.169\.254 is a private/,
    ],
    [
      'localhost',
      { webhookUrl: 'http://localhost:8080/hook' },
      /^webhookUrl: localhost resolves to .* a private or reserved address/,
    ],
    [
      'credentials in the URL',
      { webhookUrl: 'https://u:p@93.184.215.14/' },
      /^webhookUrl: must not contain credentials/,
    ],
    ['an ftp webhook', { webhookUrl: 'ftp://93.184.215.14/' }, /webhookUrl must be a URL address/],
    ['a digest of 0 minutes', { digestMinutes: 0 }, /digestMinutes must not be less than 1/],
    ['oncePerStory null', { oncePerStory: null }, /oncePerStory must be a boolean/],
    ['an unknown field', { colour: 'red' }, /property colour should not exist/],
  ])('%s', async (_label, patch, message) => {
    const before = (await service.dataSource.query(
      'SELECT count(*)::int AS n FROM notification.subscriptions',
    )) as [{ n: number }];
    const response = await service.request('/api/subscriptions', {
      method: 'POST',
      body: { ...filterBody(), ...patch },
    });
    expect(response.status).toBe(400);
    expect((response.body as BadRequest).message.some((line) => message.test(line))).toBe(true);
    const after = (await service.dataSource.query(
      'SELECT count(*)::int AS n FROM notification.subscriptions',
    )) as [{ n: number }];
    expect(after[0].n).toBe(before[0].n);
  });

  it('PATCH validates the same way and changes nothing on 400', async () => {
    const created = await create(filterBody());
    const response = await service.request(`/api/subscriptions/${created.id}`, {
      method: 'PATCH',
      body: { name: 'changed', filter: { query: 'ECB AND' } },
    });
    expect(response.status).toBe(400);
    expect((response.body as BadRequest).problems[0]).toMatchObject({ path: 'filter.query', position: 7 });
    expect((await service.request(`/api/subscriptions/${created.id}`)).body).toMatchObject({
      name: 'Rates watch',
    });
  });
});

describe('signing secrets', () => {
  it('are not stored in plaintext: sealed with the key, bound to their row', async () => {
    const created = await create(filterBody());
    const secret = created.signingSecret as string;
    const [row] = (await service.dataSource.query(`SELECT * FROM notification.subscriptions WHERE id = $1`, [
      created.id,
    ])) as Record<string, unknown>[];
    expect(JSON.stringify(row)).not.toContain(secret.slice('whsec_'.length));
    expect(row?.['signing_secret_sealed']).toMatch(/^enc1\.[0-9a-f]{12}\./);
    const secrets = service.app.get(SubscriptionSecrets);
    expect(await secrets.signingSecretsFor(created.id)).toEqual([secret]);
    // The delivery worker gets them through the interface it declares.
    expect(
      (await service.app.get(WebhookSigningSecrets).forSubscriptions([created.id])).get(created.id),
    ).toEqual([secret]);
  });

  it('rotate: the old secret still verifies during the overlap, not after', async () => {
    const created = await create(filterBody());
    const oldSecret = created.signingSecret as string;
    const rotated = await service.request(`/api/subscriptions/${created.id}/secret/rotate`, {
      method: 'POST',
    });
    expect(rotated.status).toBe(200);
    const { signingSecret: newSecret, previousSecretExpiresAt } = rotated.body as {
      signingSecret: string;
      previousSecretExpiresAt: string;
    };
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(oldSecret);
    expect(Date.parse(previousSecretExpiresAt) - Date.now()).toBeGreaterThan(500);

    const secrets = service.app.get(SubscriptionSecrets);
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    const receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const sender = new WebhookSender({ timeoutMs: 2_000, allowPrivateTargets: true });
    const send = async (id: string) =>
      sender.send({
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        id,
        secret: await secrets.signingSecretsFor(created.id),
        body: JSON.stringify({ id }),
      });
    try {
      expect(await secrets.signingSecretsFor(created.id)).toEqual([newSecret, oldSecret]);
      expect((await send('during')).ok).toBe(true);
      const during = received.at(-1) as (typeof received)[number];
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verifies(newSecret, during.headers, during.body)).toBe(true);
      expect(verifies(oldSecret, during.headers, during.body)).toBe(true);

      await sleep(Date.parse(previousSecretExpiresAt) - Date.now() + 100);
      expect(await secrets.signingSecretsFor(created.id)).toEqual([newSecret]);
      expect((await send('after')).ok).toBe(true);
      const after = received.at(-1) as (typeof received)[number];
      expect(verifies(newSecret, after.headers, after.body)).toBe(true);
      expect(verifies(oldSecret, after.headers, after.body)).toBe(false);
    } finally {
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });

  it('plaintext secrets (from before encryption) and secrets of a previous key are resealed at start', async () => {
    const created = await create(filterBody());
    const secret = created.signingSecret as string;
    await service.dataSource.query(
      `UPDATE notification.subscriptions SET signing_secret_sealed = $2 WHERE id = $1`,
      [created.id, `plain.${secret}`],
    );
    const secrets = service.app.get(SubscriptionSecrets);
    expect(await secrets.signingSecretsFor(created.id)).toEqual([secret]);
    expect(await secrets.resealAll()).toBeGreaterThanOrEqual(1);
    const [row] = (await service.dataSource.query(
      `SELECT signing_secret_sealed AS sealed FROM notification.subscriptions WHERE id = $1`,
      [created.id],
    )) as { sealed: string }[];
    expect(row?.sealed).toMatch(/^enc1\./);
    expect(await secrets.signingSecretsFor(created.id)).toEqual([secret]);
    expect(await secrets.resealAll()).toBe(0);
  });
});
