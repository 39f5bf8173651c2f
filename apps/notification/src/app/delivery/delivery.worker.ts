import { setTimeout as sleep } from 'node:timers/promises';

import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { type Logger } from 'pino';

import { MetricsService, ROOT_LOGGER } from '@newsflow/observability';

import { NOTIFICATION_CONFIG, type NotificationConfig } from '../notification.config';
import { type DueDelivery, DeliveryRepository } from './delivery.repository';
import { nextRetryDelaySeconds } from './retry-schedule';
import { WebhookSender } from './webhook-sender';

/** How long a claimed delivery is reserved for one attempt; longer than the request timeout. */
const LEASE_MARGIN_SECONDS = 30;

/**
 * Sends due webhooks from the outbox table. Runs in every instance; rows are claimed with
 * `SKIP LOCKED`, so instances share the work without sending anything twice.
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private readonly sender: WebhookSender;
  private readonly deliveries: Counter<'outcome'>;
  private readonly latency: Histogram<'outcome'>;
  private running: Promise<void> | undefined;
  private stopping = false;

  constructor(
    @Inject(NOTIFICATION_CONFIG) private readonly config: NotificationConfig,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    private readonly repository: DeliveryRepository,
    metrics: MetricsService,
  ) {
    this.logger = rootLogger.child({ component: 'delivery-worker' });
    this.sender = new WebhookSender({
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    });
    this.deliveries = new Counter({
      name: 'newsflow_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, retrying, failed)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.latency = new Histogram({
      name: 'newsflow_webhook_delivery_duration_seconds',
      help: 'Time from sending a webhook to the receiver answering',
      labelNames: ['outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [metrics.registry],
    });
  }

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      let claimed = 0;
      try {
        claimed = await this.deliverBatch();
      } catch (error) {
        this.logger.error({ err: error }, 'delivery batch failed; retrying after the poll interval');
      }
      // A full batch suggests more is due: go again at once.
      if (claimed < this.config.DELIVERY_BATCH_SIZE) await sleep(this.config.DELIVERY_POLL_INTERVAL_MS);
    }
  }

  private async deliverBatch(): Promise<number> {
    const due = await this.repository.claimDue({
      limit: this.config.DELIVERY_BATCH_SIZE,
      leaseSeconds: Math.ceil(this.config.WEBHOOK_TIMEOUT_MS / 1000) + LEASE_MARGIN_SECONDS,
    });
    await Promise.all(due.map((delivery) => this.deliver(delivery)));
    return due.length;
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    const result = await this.sender.send({
      url: delivery.webhookUrl,
      id: delivery.id,
      secret: delivery.signingSecret,
      body: JSON.stringify(delivery.payload),
    });
    const context = { deliveryId: delivery.id, articleId: delivery.articleId, attempt: delivery.attempts };
    if (result.ok) {
      await this.repository.markDelivered({ id: delivery.id, statusCode: result.statusCode });
      this.record('delivered', result.durationMs);
      this.logger.info({ ...context, statusCode: result.statusCode }, 'webhook delivered');
      return;
    }
    const retryInSeconds = nextRetryDelaySeconds(this.config.WEBHOOK_RETRY_SCHEDULE, delivery.attempts);
    await this.repository.markAttemptFailed({
      id: delivery.id,
      statusCode: result.statusCode,
      error: result.error,
      retryInSeconds,
    });
    this.record(retryInSeconds === null ? 'failed' : 'retrying', result.durationMs);
    this.logger.warn({ ...context, error: result.error, retryInSeconds }, 'webhook delivery failed');
  }

  private record(outcome: 'delivered' | 'retrying' | 'failed', durationMs: number): void {
    this.deliveries.inc({ outcome });
    this.latency.observe({ outcome }, durationMs / 1000);
  }
}
