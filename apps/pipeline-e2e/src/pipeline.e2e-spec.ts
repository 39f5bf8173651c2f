import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

import { type ArticleEnrichedV1, type ArticleRejectedV1, Topic } from '@newsflow/contracts';

import { eventually, freePort, requiredEnv, runId } from './support/environment';
import { createApiKey } from './support/api-keys';
import { type ServiceName, ServiceProcess } from './support/service-process';
import { WebhookReceiver, verifyStandardWebhook } from './support/webhook-receiver';

const SAMPLE = path.join(__dirname, 'fixtures', 'donbass-recognition-2022-02-22.txt');

interface ArticleBody {
  id: string;
  publishedAt: string;
  lede: string;
  paragraphs: string[];
  language: { code: string; confidence: number } | null;
  enrichmentVersion: number | null;
  notifiedAt: string | null;
  source: { bucket: string; key: string };
}

/**
 * The whole pipeline, as users run it: the four services from their build output, the real broker
 * and Postgres, a file dropped into the inbox, the query API and a webhook receiver.
 */
describe('pipeline end to end', () => {
  const run = runId();
  const brokers = requiredEnv('KAFKA_BROKERS');
  const databaseUrl = new URL(requiredEnv('DATABASE_URL'));
  databaseUrl.pathname = `/newsflow_e2e_${run}`;
  const receiver = new WebhookReceiver();
  const services = new Map<ServiceName, ServiceProcess>();
  let inbox: string;
  let apiKey: string;
  let subscriptionId: string;

  const service = (name: ServiceName) => services.get(name) as ServiceProcess;

  beforeAll(async () => {
    inbox = await mkdtemp(path.join(tmpdir(), 'newsflow-e2e-inbox-'));
    await receiver.start();
    const common = {
      KAFKA_BROKERS: brokers,
      DATABASE_URL: databaseUrl.toString(),
      INBOX_DIR: inbox,
      INBOX_STABLE_MS: '200',
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
    };
    for (const name of ['storage', 'notification', 'enrichment', 'ingestion'] as const) {
      const port = await freePort();
      // Own consumer groups that start at the end of the topics: the shared broker may hold other suites'
      // articles (the same sample, even), and this test must see its own file travel the pipeline.
      const process = new ServiceProcess(name, port, {
        ...common,
        KAFKA_GROUP_ID: `e2e-${run}-${name}`,
        KAFKA_AUTO_OFFSET_RESET: 'latest',
        ...(name === 'notification'
          ? { NOTIFICATION_ENCRYPTION_KEY: randomBytes(32).toString('base64') }
          : {}),
      });
      services.set(name, process);
      process.start();
    }
    await Promise.all([...services.values()].map((process) => process.waitUntilReady()));
    apiKey = await createApiKey(databaseUrl.toString(), 'e2e');
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([...services.values()].map((process) => process.stop()));
    await receiver.stop();
    await rm(inbox, { recursive: true, force: true });
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "newsflow_e2e_${run}" WITH (FORCE)`);
    await client.end();
  }, 60_000);

  const getJson = async <T>(url: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(url);
    return { status: response.status, body: (await response.json()) as T };
  };

  let articleId: string;
  let signingSecret: string;

  it('refuses the notification API without an API key', async () => {
    const response = await fetch(`${service('notification').baseUrl}/api/subscriptions`);
    expect(response.status).toBe(401);
  });

  it('creates a subscription', async () => {
    const response = await fetch(`${service('notification').baseUrl}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        name: `e2e ${run}`,
        webhookUrl: receiver.url,
        keywords: ['Vladimir Putin', 'Duma'],
      }),
    });
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string; signingSecret: string };
    expect(created.signingSecret).toMatch(/^whsec_/);
    signingSecret = created.signingSecret;
    subscriptionId = created.id;
  });

  it('stores a dropped article with its enrichment and serves it from the query API', async () => {
    await copyFile(SAMPLE, path.join(inbox, `donbass-${run}.txt`));

    const stored = await eventually('the article to be stored and enriched', async () => {
      const { body } = await getJson<{ items: ArticleBody[] }>(
        `${service('storage').baseUrl}/api/articles?limit=100`,
      );
      return body.items.find((item) => item.source.key === `donbass-${run}.txt`);
    });
    articleId = stored.id;
    const { status, body: article } = await getJson<ArticleBody>(
      `${service('storage').baseUrl}/api/articles/${articleId}`,
    );
    expect(status).toBe(200);
    expect(article.publishedAt).toBe('2022-02-22');
    expect(article.lede).toBe('The decision was passed unanimously by MPs');
    expect(article.paragraphs).toHaveLength(6);
    expect(article.paragraphs[2]).toContain('“I deem it necessary');
    await eventually('the enrichment to arrive', async () => {
      const { body } = await getJson<ArticleBody>(`${service('storage').baseUrl}/api/articles/${articleId}`);
      return body.enrichmentVersion !== null ? body : undefined;
    }).then((enriched) => {
      expect(enriched.language?.code).toBe('en');
      expect(enriched.enrichmentVersion).toBeGreaterThanOrEqual(1);
    });
  });

  it('delivers one signed webhook for the matching subscription', async () => {
    const webhook = await eventually('the webhook', async () =>
      receiver.received.find(
        (received) => (received.json as { data: { article: { id: string } } }).data.article.id === articleId,
      ),
    );
    expect(verifyStandardWebhook(signingSecret, webhook)).toBe(true);
    expect(verifyStandardWebhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', webhook)).toBe(false);
    const payload = webhook.json as {
      type: string;
      data: { matchedKeywords: string[]; article: { publishedAt: string; url: string } };
    };
    expect(payload.type).toBe('article.matched');
    expect(payload.data.matchedKeywords.sort()).toEqual(['Duma', 'Vladimir Putin']);
    expect(payload.data.article.publishedAt).toBe('2022-02-22');
    expect(payload.data.article.url).toMatch(new RegExp(`/api/articles/${articleId}$`));
  });

  it('shows the delivery and its attempt in the delivery log, and the article as notified', async () => {
    const authorized = { headers: { authorization: `Bearer ${apiKey}` } };
    const base = service('notification').baseUrl;
    const page = (await (
      await fetch(`${base}/api/subscriptions/${subscriptionId}/deliveries?status=delivered`, authorized)
    ).json()) as { items: { id: string; articleId: string | null }[] };
    const delivery = page.items.find((item) => item.articleId === articleId);
    expect(delivery).toBeDefined();
    const detail = (await (await fetch(`${base}/api/deliveries/${delivery?.id}`, authorized)).json()) as {
      status: string;
      attempts: { statusCode: number | null; latencyMs: number | null }[];
    };
    expect(detail.status).toBe('delivered');
    expect(detail.attempts).toHaveLength(1);
    expect(detail.attempts[0]?.statusCode).toBeGreaterThanOrEqual(200);
    expect(detail.attempts[0]?.statusCode).toBeLessThan(300);

    const notified = await eventually('storage to record the notification', async () => {
      const { body } = await getJson<{ notifiedAt: string | null }>(
        `${service('storage').baseUrl}/api/articles/${articleId}`,
      );
      return body.notifiedAt ?? undefined;
    });
    expect(Date.parse(notified)).not.toBeNaN();
  });

  it('records when the article was notified (news.notifications.v1 → storage)', async () => {
    const notified = await eventually('notifiedAt to be set', async () => {
      const { body } = await getJson<ArticleBody>(`${service('storage').baseUrl}/api/articles/${articleId}`);
      return body.notifiedAt ?? undefined;
    });
    expect(Date.parse(notified)).toBeGreaterThan(Date.parse('2026-01-01'));
  });

  it('treats the same article dropped again as the same article: one row, no second webhook', async () => {
    await copyFile(SAMPLE, path.join(inbox, `donbass-again-${run}.txt`));
    // Ingestion recognises the exact duplicate (same normalized content) and does not publish it again.
    await eventually('the second copy to be recognised as a duplicate', async () => {
      const metrics = await (await fetch(`${service('ingestion').baseUrl}/metrics`)).text();
      return /newsflow_articles_total\{stage="ingestion",outcome="duplicate"\} 1/.test(metrics)
        ? true
        : undefined;
    });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const { body } = await getJson<{ items: ArticleBody[] }>(
      `${service('storage').baseUrl}/api/articles?limit=100`,
    );
    expect(body.items.filter((item) => item.id === articleId)).toHaveLength(1);
    const deliveries = receiver.received.filter(
      (received) => (received.json as { data: { article: { id: string } } }).data.article.id === articleId,
    );
    expect(deliveries).toHaveLength(1);
  });

  it('enriches an updated version of the article as a near-duplicate of the first, in its story', async () => {
    const updatedName = `donbass-updated-${run}.txt`;
    const kafka = new Kafka({
      clientId: `e2e-${run}`,
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `e2e-${run}-enriched` });
    let updated: ArticleEnrichedV1 | undefined;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: Topic.ArticleEnrichedV1, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as ArticleEnrichedV1;
          if (event.article?.source?.key === updatedName) updated = event;
        },
      });
      // The wire story a few hours later: one more paragraph at the end.
      const original = await readFile(SAMPLE, 'utf8');
      await writeFile(
        path.join(inbox, updatedName),
        `${original.trimEnd()}\n\nThe Kremlin declined to comment further on Wednesday.\n`,
      );
      const event = await eventually('the updated article to be enriched', async () => updated);
      expect(event.article.id).not.toBe(articleId);
      expect(event.enrichment.nearDuplicate).toEqual({
        of: articleId,
        distance: expect.any(Number),
        storyId: articleId,
      });
      expect(event.enrichment.nearDuplicate?.distance).toBeLessThanOrEqual(6);
      const putin = event.enrichment.entities?.find((entity) => entity.name === 'Vladimir Putin');
      expect(putin?.type).toBe('PERSON');
      expect(event.enrichment.keywords?.length).toBeGreaterThan(0);
    } finally {
      await consumer.disconnect();
    }
  });

  it('keeps rejected files with their reason and announces them on Kafka', async () => {
    const files = {
      [`not-an-article-${run}.txt`]: 'Hello, this is a shopping list.\n\nMilk\n',
      [`impossible-date-${run}.txt`]: 'date 2022-02-30 A lede\n\nA body paragraph.\n',
      [`empty-${run}.txt`]: '',
    };
    const expectedCodes: Record<string, string> = {
      [`not-an-article-${run}.txt`]: 'BAD_HEADER',
      [`impossible-date-${run}.txt`]: 'BAD_DATE',
      [`empty-${run}.txt`]: 'EMPTY',
    };
    const kafka = new Kafka({
      clientId: `e2e-${run}`,
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `e2e-${run}-rejections` });
    const events = new Map<string, ArticleRejectedV1>();
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: Topic.ArticleRejectedV1, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as ArticleRejectedV1;
          if (event.source?.key in expectedCodes) events.set(event.source.key, event);
        },
      });
      for (const [name, content] of Object.entries(files)) await writeFile(path.join(inbox, name), content);

      for (const name of Object.keys(files)) {
        const kept = path.join(inbox, '.rejected', name);
        const reason = await eventually(`${name} to be rejected`, async () => {
          const text = await readFile(`${kept}.error.json`, 'utf8').catch(() => undefined);
          return text === undefined ? undefined : (JSON.parse(text) as { code: string; message: string });
        });
        expect(reason.code).toBe(expectedCodes[name]);
        expect(reason.message.length).toBeGreaterThan(10);
        expect((await stat(kept)).size).toBe(Buffer.byteLength(files[name] ?? ''));
        await expect(stat(path.join(inbox, name))).rejects.toThrow();
      }
      await eventually('rejection events on Kafka', async () => (events.size === 3 ? true : undefined));
      for (const [key, event] of events) {
        expect(event.reason.code).toBe(expectedCodes[key]);
        expect(event.keptAt).toBe(`.rejected/${key}`);
      }
    } finally {
      await consumer.disconnect();
    }

    const health = await fetch(`${service('ingestion').baseUrl}/health`);
    expect(health.status).toBe(200);
  });

  it('shuts every service down cleanly on SIGTERM within 10 seconds', async () => {
    for (const name of ['ingestion', 'enrichment', 'notification', 'storage'] as const) {
      const started = Date.now();
      const code = await service(name).stop(10_000);
      expect({ name, code }).toEqual({ name, code: 0 });
      expect(Date.now() - started).toBeLessThan(10_000);
    }
  }, 60_000);
});
