/**
 * End-to-end latency to `notified` and the trace id in the delivery log lines, on a real Postgres
 * outbox (DATABASE_URL; the suite creates and drops its own database) and a real HTTP receiver.
 */
import { Writable } from 'node:stream';

import pino from 'pino';
import { type DataSource } from 'typeorm';

import { loadConfig } from '@newsflow/config';
import { MetricsService } from '@newsflow/observability';

import { NotificationConfigSchema } from '../notification.config';
import { DeliveryEnvSchema } from './delivery.config';
import { DeliveryRepository } from './delivery.repository';
import { DeliveryWorker } from './delivery.worker';
import {
  type Receiver,
  articleId,
  deliveryTestDatabase,
  insertSubscription,
  matchedPayload,
  startReceiver,
  testSigningSecrets,
  waitUntil,
} from './testing/delivery-test-support';

const database = deliveryTestDatabase('notif_latency');
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

let dataSource: DataSource;
let receiver: Receiver;

beforeAll(async () => {
  dataSource = await database.open();
  receiver = await startReceiver(() => 204);
});

afterAll(async () => {
  await receiver.close();
  await database.close();
});

function logLines(): { logger: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('DeliveryWorker end-to-end latency', () => {
  it('observes the seconds from first sight to delivery, and logs the delivery with its article and trace', async () => {
    const subscription = await insertSubscription(dataSource, { webhookUrl: receiver.url });
    const seen = matchedPayload(subscription.id, articleId(1));
    const firstSeenAt = new Date(Date.now() - 4_000).toISOString();
    const withFirstSight = {
      ...seen,
      data: {
        ...seen.data,
        article: { ...seen.data.article, firstSeenAt },
        traceparent: `00-${TRACE_ID}-00f067aa0ba902b7-01`,
      },
    };
    const repository = new DeliveryRepository(dataSource);
    await repository.enqueue([
      { subscriptionId: subscription.id, articleId: articleId(1), payload: withFirstSight },
      // Queued before payloads carried firstSeenAt: delivered, not measured.
      {
        subscriptionId: subscription.id,
        articleId: articleId(2),
        payload: matchedPayload(subscription.id, articleId(2)),
      },
    ]);

    const metrics = new MetricsService();
    const { logger, lines } = logLines();
    const config = loadConfig(NotificationConfigSchema.extend(DeliveryEnvSchema.shape), {
      DATABASE_URL: database.url,
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      DELIVERY_POLL_INTERVAL_MS: '50',
    });
    const worker = new DeliveryWorker(config, logger, repository, testSigningSecrets, metrics);
    worker.onApplicationBootstrap();
    try {
      await waitUntil(async () => receiver.received.length >= 2, 'both webhooks arrive');
      await waitUntil(
        async () => lines.filter((line) => line['msg'] === 'webhook delivered').length >= 2,
        'both deliveries are recorded',
      );
    } finally {
      await worker.beforeApplicationShutdown();
    }

    const { values } = await metrics.endToEndLatency.get();
    const count = values.find(
      (value) => value.metricName?.endsWith('_count') && value.labels['to'] === 'notified',
    );
    const sum = values.find(
      (value) => value.metricName?.endsWith('_sum') && value.labels['to'] === 'notified',
    );
    expect(count?.value).toBe(1);
    expect(sum?.value).toBeGreaterThanOrEqual(4);
    expect(sum?.value).toBeLessThan(30);

    const delivered = lines.find(
      (line) => line['msg'] === 'webhook delivered' && line['articleId'] === articleId(1),
    );
    expect(delivered).toMatchObject({ articleId: articleId(1), traceId: TRACE_ID });
  });
});
