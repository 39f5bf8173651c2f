import { randomBytes } from 'node:crypto';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client } from 'pg';

import { Topic, parseTraceParent } from '@newsflow/contracts';

import { createApiKey } from './support/api-keys';
import { eventually, freePort, requiredEnv, runId } from './support/environment';
import { OtlpReceiver, OtlpSpanKind, type ReceivedSpan } from './support/otlp-receiver';
import { type ServiceName, ServiceProcess } from './support/service-process';
import { WebhookReceiver } from './support/webhook-receiver';

const SAMPLE = path.join(__dirname, 'fixtures', 'donbass-recognition-2022-02-22.txt');
const SERVICES: readonly ServiceName[] = ['storage', 'notification', 'enrichment', 'ingestion'];

/**
 * OpenTelemetry across the pipeline: the four services from their build output export spans over
 * OTLP/HTTP to a real receiver on 127.0.0.1, a dropped article travels to a webhook, and its spans form
 * one trace: ingestion's root, enrichment's consumer span under it, storage's and notification's under
 * enrichment's, the webhook attempt (an HTTP CLIENT span) under notification's match, and the webhook
 * request's `traceparent` names that attempt.
 */
describe('tracing end to end', () => {
  const run = runId();
  const brokers = requiredEnv('KAFKA_BROKERS');
  const databaseUrl = new URL(requiredEnv('DATABASE_URL'));
  databaseUrl.pathname = `/newsflow_trace_${run}`;
  const otlp = new OtlpReceiver();
  const webhooks = new WebhookReceiver();
  const services = new Map<ServiceName, ServiceProcess>();
  let inbox: string;

  const service = (name: ServiceName) => services.get(name) as ServiceProcess;

  beforeAll(async () => {
    inbox = await mkdtemp(path.join(tmpdir(), 'newsflow-tracing-inbox-'));
    await otlp.start();
    await webhooks.start();
    for (const name of SERVICES) {
      const process = new ServiceProcess(name, await freePort(), {
        KAFKA_BROKERS: brokers,
        DATABASE_URL: databaseUrl.toString(),
        INBOX_DIR: inbox,
        INBOX_STABLE_MS: '200',
        WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
        // Own consumer groups from the end of the topics: the shared broker holds other suites' messages.
        KAFKA_GROUP_ID: `trace-${run}-${name}`,
        KAFKA_AUTO_OFFSET_RESET: 'latest',
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
        OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=e2e-${run}`,
        // Spans leave a fifth of a second after they end, not after the default 5 s.
        OTEL_BSP_SCHEDULE_DELAY: '200',
        ...(name === 'notification'
          ? { NOTIFICATION_ENCRYPTION_KEY: randomBytes(32).toString('base64') }
          : {}),
      });
      services.set(name, process);
      process.start();
    }
    await Promise.all([...services.values()].map((process) => process.waitUntilReady()));
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled([...services.values()].map((process) => process.stop()));
    await webhooks.stop();
    await otlp.stop();
    if (inbox) await rm(inbox, { recursive: true, force: true });
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "newsflow_trace_${run}" WITH (FORCE)`);
    await client.end();
  }, 60_000);

  it('exports one trace from the dropped file to the webhook, with every parent link', async () => {
    const apiKey = await createApiKey(databaseUrl.toString(), 'tracing-e2e');
    const created = await fetch(`${service('notification').baseUrl}/api/subscriptions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({
        name: `tracing ${run}`,
        webhookUrl: webhooks.url,
        keywords: ['Vladimir Putin'],
      }),
    });
    expect(created.status).toBe(201);

    const key = `donbass-${run}.txt`;
    await copyFile(SAMPLE, path.join(inbox, key));
    const webhook = await eventually('the webhook', async () => webhooks.received[0], 90_000);
    const header = parseTraceParent(String(webhook.headers['traceparent']));
    expect(header).toBeDefined();
    const traceId = header?.traceId as string;
    const payload = webhook.json as { data: { article: { id: string }; traceparent: string } };
    const articleId = payload.data.article.id;

    // Storage's span ends with its transaction, maybe after the webhook: wait for all of them.
    const named = (spans: ReceivedSpan[], serviceName: ServiceName, name: string) =>
      spans.filter((span) => span.service === serviceName && span.name === name);
    const expected: [ServiceName, string][] = [
      ['ingestion', 'ingest object'],
      ['enrichment', `process ${Topic.ArticleIngestedV1}`],
      ['enrichment', 'analyse article'],
      ['storage', `process ${Topic.ArticleIngestedV1}`],
      ['storage', `process ${Topic.ArticleEnrichedV1}`],
      ['storage', `process ${Topic.NotificationV1}`],
      ['notification', `process ${Topic.ArticleEnrichedV1}`],
      ['notification', 'match subscriptions'],
      ['notification', 'POST webhook'],
    ];
    const spans = await eventually(
      `the spans of trace ${traceId} from all four services`,
      async () => {
        if (otlp.problems.length > 0)
          throw new Error(`the receiver refused exports: ${otlp.problems.join('; ')}`);
        const trace = otlp.trace(traceId);
        return expected.every(([serviceName, name]) => named(trace, serviceName, name).length > 0)
          ? trace
          : undefined;
      },
      30_000,
    ).catch((error: unknown) => {
      const seen = otlp.trace(traceId).map((span) => `${span.service}: ${span.name}`);
      throw new Error(`${String(error)}\nspans of the trace so far: ${seen.join(', ') || 'none'}`);
    });

    expect(otlp.problems).toEqual([]);
    expect(new Set(spans.map((span) => span.service))).toEqual(new Set(SERVICES));
    for (const span of spans) {
      expect(span.resource['deployment.environment.name']).toBe(`e2e-${run}`);
    }
    const only = (serviceName: ServiceName, name: string): ReceivedSpan => {
      const found = named(spans, serviceName, name);
      expect({ service: serviceName, name, count: found.length }).toEqual({
        service: serviceName,
        name,
        count: 1,
      });
      return found[0] as ReceivedSpan;
    };
    const ingest = only('ingestion', 'ingest object');
    const enrichment = only('enrichment', `process ${Topic.ArticleIngestedV1}`);
    const analyse = only('enrichment', 'analyse article');
    const storedIngested = only('storage', `process ${Topic.ArticleIngestedV1}`);
    const storedEnriched = only('storage', `process ${Topic.ArticleEnrichedV1}`);
    const storedNotified = only('storage', `process ${Topic.NotificationV1}`);
    const notification = only('notification', `process ${Topic.ArticleEnrichedV1}`);
    const match = only('notification', 'match subscriptions');
    const delivery = only('notification', 'POST webhook');

    // The parent links, from the root down.
    expect(ingest.parentSpanId).toBeUndefined();
    expect(ingest.attributes['newsflow.object.key']).toBe(key);
    expect(enrichment.parentSpanId).toBe(ingest.spanId);
    expect(analyse.parentSpanId).toBe(enrichment.spanId);
    expect(storedIngested.parentSpanId).toBe(ingest.spanId);
    expect(storedEnriched.parentSpanId).toBe(enrichment.spanId);
    expect(notification.parentSpanId).toBe(enrichment.spanId);
    expect(match.parentSpanId).toBe(notification.spanId);
    // The match event on news.notifications.v1 was published in notification's consumer span.
    expect(storedNotified.parentSpanId).toBe(notification.spanId);
    expect(delivery.parentSpanId).toBe(match.spanId);

    // Kinds and what they say about the message and the request.
    for (const consumer of [enrichment, storedIngested, storedEnriched, storedNotified, notification]) {
      expect(consumer.kind).toBe(OtlpSpanKind.Consumer);
      expect(consumer.attributes['messaging.system']).toBe('kafka');
      expect(consumer.attributes['messaging.kafka.message.key']).toBe(articleId);
      expect(consumer.statusCode).not.toBe(2);
    }
    expect(storedEnriched.attributes['messaging.batch.message_count']).toBeGreaterThanOrEqual(1);
    expect(delivery.kind).toBe(OtlpSpanKind.Client);
    expect(delivery.attributes['http.response.status_code']).toBe(204);
    expect(delivery.attributes['newsflow.article.id']).toBe(articleId);

    // The webhook request continues the trace from the attempt's span; its body names the match.
    expect(header).toEqual({ traceId, spanId: delivery.spanId, flags: 1 });
    expect(parseTraceParent(payload.data.traceparent)).toEqual({ traceId, spanId: match.spanId, flags: 1 });

    // No span about this article landed in another trace.
    const aboutArticle = otlp.spans.filter(
      (span) =>
        span.attributes['messaging.kafka.message.key'] === articleId ||
        span.attributes['newsflow.article.id'] === articleId ||
        span.attributes['newsflow.object.key'] === key,
    );
    expect(new Set(aboutArticle.map((span) => span.traceId))).toEqual(new Set([traceId]));
  }, 150_000);

  it("gives each article of a JSON Lines file a trace of its own, linked to the file's span", async () => {
    const key = `bulk-${run}.jsonl`;
    const lines = ['first', 'second'].map((label) =>
      JSON.stringify({
        date: '2022-02-22',
        lede: `Bulk ${label} article of run ${run}.`,
        body: `The ${label} paragraph of the bulk file of run ${run}.`,
      }),
    );
    await writeFile(path.join(inbox, key), `${lines.join('\n')}\n`);

    const ofFile = (span: ReceivedSpan) => span.attributes['newsflow.object.key'] === key;
    const { file, articles } = await eventually(
      `the spans of ${key}: the file's, each article's, and enrichment's under each`,
      async () => {
        const file = otlp.spans.filter((span) => ofFile(span) && span.name === 'ingest object');
        const articles = otlp.spans.filter((span) => ofFile(span) && span.name === 'ingest article');
        const consumed = articles.filter((article) =>
          otlp.spans.some(
            (span) =>
              span.service === 'enrichment' &&
              span.name === `process ${Topic.ArticleIngestedV1}` &&
              span.parentSpanId === article.spanId,
          ),
        );
        return file.length === 1 && consumed.length === 2
          ? { file: file[0] as ReceivedSpan, articles }
          : undefined;
      },
      60_000,
    );

    expect(articles).toHaveLength(2);
    const traces = new Set(articles.map((article) => article.traceId));
    expect(traces.size).toBe(2);
    expect(traces.has(file.traceId)).toBe(false);
    for (const article of articles) {
      expect(article.parentSpanId).toBeUndefined();
      expect(article.links).toEqual([{ traceId: file.traceId, spanId: file.spanId }]);
      expect(article.attributes['newsflow.object.line']).toEqual(expect.any(Number));
      // The event the article was published with carried its span: enrichment's span is its child.
      const enrichment = otlp.trace(article.traceId).filter((span) => span.service === 'enrichment');
      expect(enrichment.map((span) => span.name)).toContain(`process ${Topic.ArticleIngestedV1}`);
    }
  }, 90_000);
});
