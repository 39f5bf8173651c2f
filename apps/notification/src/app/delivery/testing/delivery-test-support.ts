/**
 * Shared by the delivery integration suites: a scratch notification database, subscriptions with
 * delivery options, and real HTTP receivers on 127.0.0.1 that count what they get per webhook-id.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { type DataSource } from 'typeorm';

import { ensureDatabaseExists, openServiceDatabase, serviceDataSourceOptions } from '@newsflow/database';
import { scratchDatabase } from '@newsflow/database/testing';

import { NOTIFICATION_MIGRATIONS } from '../../migrations';
import { NOTIFICATION_SCHEMA } from '../../notification.config';
import { SubscriptionEntity } from '../../subscriptions/subscription.entity';
import { generateSigningSecret } from '../webhook-signature';
import { WebhookSigningSecrets } from '../webhook-signing-secrets';

export interface DeliveryTestDatabase {
  url: string;
  /** A new connection pool on the database, as another instance (or a restarted one) would have. */
  open(): Promise<DataSource>;
  /** Closes every pool opened and drops the database. */
  close(): Promise<void>;
}

export function deliveryTestDatabase(suite: string): DeliveryTestDatabase {
  const { name, urlFor, admin } = scratchDatabase(suite);
  const url = urlFor(name);
  const opened: DataSource[] = [];
  return {
    url,
    async open() {
      await ensureDatabaseExists(url);
      const dataSource = await openServiceDatabase(
        serviceDataSourceOptions({
          url,
          schema: NOTIFICATION_SCHEMA,
          entities: [SubscriptionEntity],
          migrations: NOTIFICATION_MIGRATIONS,
          poolSize: 5,
          applicationName: `newsflow-notification-${suite}`,
        }),
        NOTIFICATION_SCHEMA,
      );
      opened.push(dataSource);
      return dataSource;
    },
    async close() {
      await Promise.all(opened.filter((source) => source.isInitialized).map((source) => source.destroy()));
      await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

export interface TestSubscription {
  id: string;
  signingSecret: string;
}

export interface DeliveryOptions {
  oncePerStory?: boolean;
  digestMinutes?: number;
  rateLimitPerMinute?: number;
}

/** The secrets of the subscriptions inserted by insertSubscription, as the subscriptions side would give them. */
export class TestSigningSecrets extends WebhookSigningSecrets {
  private readonly secrets = new Map<string, readonly string[]>();

  /** The current secret first, then earlier ones still signing (a rotation's overlap). */
  set(subscriptionId: string, ...secrets: string[]): void {
    this.secrets.set(subscriptionId, secrets);
  }

  async forSubscriptions(subscriptionIds: readonly string[]): Promise<Map<string, readonly string[]>> {
    return this.known(subscriptionIds);
  }

  /** The secrets set here for the subscriptions of `sealed` (whose values are not read). */
  open(sealed: ReadonlyMap<string, unknown>): Map<string, readonly string[]> {
    return this.known([...sealed.keys()]);
  }

  private known(subscriptionIds: readonly string[]): Map<string, readonly string[]> {
    const found = new Map<string, readonly string[]>();
    for (const id of subscriptionIds) {
      const secrets = this.secrets.get(id);
      if (secrets !== undefined) found.set(id, secrets);
    }
    return found;
  }
}

export const testSigningSecrets = new TestSigningSecrets();

/**
 * A subscription row with the given delivery options (the columns the delivery side reads); its
 * secret is stored unsealed (`plain.`), as an instance without an encryption key stores it.
 */
export async function insertSubscription(
  dataSource: DataSource,
  input: { webhookUrl: string; name?: string } & DeliveryOptions,
): Promise<TestSubscription> {
  const signingSecret = generateSigningSecret();
  const [row] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO notification.subscriptions
       (id, name, webhook_url, filter, signing_secret_sealed, once_per_story, digest_minutes, rate_limit_per_minute)
     VALUES (gen_random_uuid(), $1, $2, '{"version": 1, "keywords": ["NATO"]}', $3, $4, $5, $6)
     RETURNING id`,
    [
      input.name ?? 'watch',
      input.webhookUrl,
      `plain.${signingSecret}`,
      input.oncePerStory ?? false,
      input.digestMinutes ?? null,
      input.rateLimitPerMinute ?? null,
    ],
  );
  if (!row) throw new Error('the subscription was not inserted');
  testSigningSecrets.set(row.id, signingSecret);
  return { id: row.id, signingSecret };
}

export const articleId = (index: number): string => index.toString(16).padStart(32, 'a');

export const matchedPayload = (subscriptionId: string, article: string) => ({
  type: 'article.matched',
  timestamp: new Date().toISOString(),
  data: { subscription: { id: subscriptionId, name: 'watch' }, article: { id: article } },
});

export async function waitUntil(
  condition: () => Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(25);
  }
}

// ---- receivers ---------------------------------------------------------------------------------------

export interface ReceivedRequest {
  webhookId: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
  /** The status answered, or 'hang' when the request was left unanswered. */
  answer: number | 'hang';
}

/** What to answer the n-th request (1-based) carrying one webhook-id: a status, or never ('hang'). */
export type Answer = (nthForThisId: number, request: ReceivedRequest) => number | 'hang';

export interface Receiver {
  url: string;
  received: ReceivedRequest[];
  /** Requests per webhook-id that got a 2xx answer. */
  acceptedPerId(): Map<string, number>;
  close(): Promise<void>;
}

export async function startReceiver(answer: Answer, responseBody = ''): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server = http.createServer((request, response) => {
    response.on('error', () => undefined);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const webhookId = String(request.headers['webhook-id']);
      const entry: ReceivedRequest = {
        webhookId,
        headers: request.headers,
        body: Buffer.concat(chunks),
        at: Date.now(),
        answer: 'hang',
      };
      const nth = received.filter((earlier) => earlier.webhookId === webhookId).length + 1;
      entry.answer = answer(nth, entry);
      received.push(entry);
      if (entry.answer === 'hang') {
        hanging.add(response);
        response.on('close', () => hanging.delete(response));
      } else {
        response.writeHead(entry.answer, { 'content-type': 'text/plain' }).end(responseBody);
      }
    });
  });
  server.on('connection', (socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    acceptedPerId() {
      const counts = new Map<string, number>();
      for (const request of received) {
        if (typeof request.answer === 'number' && request.answer >= 200 && request.answer < 300) {
          counts.set(request.webhookId, (counts.get(request.webhookId) ?? 0) + 1);
        }
      }
      return counts;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Standard Webhooks verification, written from the specification (independent of webhook-signature.ts). */
export function verifiesSignature(secret: string, request: ReceivedRequest): boolean {
  const id = String(request.headers['webhook-id']);
  const timestamp = String(request.headers['webhook-timestamp']);
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`), request.body]))
    .digest();
  return String(request.headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      if (version !== 'v1' || !signature) return false;
      const actual = Buffer.from(signature, 'base64');
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    });
}
