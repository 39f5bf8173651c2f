import { setTimeout as sleep } from 'node:timers/promises';

import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { type Logger } from 'pino';

import { traceIdOf } from '@newsflow/contracts';
import { BatchCoalescer } from '@newsflow/kafka';
import {
  MetricsService,
  ROOT_LOGGER,
  SpanKind,
  type Span,
  markFailed,
  recordFailure,
  startSpan,
  traceParentOf,
} from '@newsflow/observability';

import { NOTIFICATION_CONFIG } from '../notification.config';
import { type SealedSigningSecrets } from '../subscriptions/subscription.repository';
import { DELIVERY_WORKER_OPTIONS, type DeliveryConfig, type DeliveryWorkerOptions } from './delivery.config';
import { type DeliveredAttempt, type DueDelivery, DeliveryRepository } from './delivery.repository';
import { nextRetryDelaySeconds } from './retry-schedule';
import { type WebhookResult, WebhookSender } from './webhook-sender';
import { WebhookSigningSecrets } from './webhook-signing-secrets';

/** How long a claimed delivery is reserved for one attempt; longer than the request timeout. */
const LEASE_MARGIN_SECONDS = 30;

type Outcome = 'delivered' | 'retrying' | 'failed' | 'held' | 'stale';

/**
 * Room reserved in the worker for deliveries the caller is about to claim (DeliveryRepository
 * enqueueAndClaim): `limit` of them at most, leased for `leaseSeconds`. Exactly one of start() and
 * release() frees the room not used.
 */
export interface HandOff {
  readonly limit: number;
  readonly leaseSeconds: number;
  /**
   * Sends the deliveries claimed for it (at most `limit`) in the background, signed with the secrets
   * read with them (sealed, by subscription id).
   */
  start(claimed: readonly DueDelivery[], sealedSecrets: ReadonlyMap<string, SealedSigningSecrets>): void;
  /** Nothing was claimed (the claim failed). */
  release(): void;
}

/**
 * Sends due webhooks from the outbox table, after turning closed digest windows into digests. Runs in
 * every instance; rows are claimed with `SKIP LOCKED`, so instances share the work without sending
 * anything twice. The matching handler hands new deliveries over directly (claimed as they are
 * inserted), so they go out without waiting for a poll; the poll takes the rest: retries, digests,
 * rate-limited and resumed subscriptions, redeliveries and what another instance left behind.
 * Successes are recorded in groups (one statement for the webhooks answered meanwhile).
 */
@Injectable()
export class DeliveryWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger: Logger;
  private readonly sender: WebhookSender;
  private readonly rateWindowSeconds: number;
  private readonly deliveries: Counter<'outcome'>;
  private readonly latency: Histogram<'outcome'>;
  private readonly disabled: Counter;
  private readonly leaseSeconds: number;
  private readonly delivered: BatchCoalescer<DeliveredAttempt>;
  private running: Promise<void> | undefined;
  private stopping = false;
  /** Webhooks being sent plus room reserved for hand-offs; at most DELIVERY_MAX_IN_FLIGHT. */
  private inFlight = 0;
  /** Hand-offs being sent, for the shutdown to wait for. */
  private readonly handedOff = new Set<Promise<void>>();
  /** Ends the poll's current pause; set while it pauses. */
  private endPause: (() => void) | undefined;
  /** A wake() came while the poll was not pausing: its next pause is skipped. */
  private woken = false;
  /** The poll found no room (DELIVERY_MAX_IN_FLIGHT out): the next webhook done wakes it. */
  private starved = false;

  constructor(
    @Inject(NOTIFICATION_CONFIG) private readonly config: DeliveryConfig,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
    private readonly repository: DeliveryRepository,
    private readonly signingSecrets: WebhookSigningSecrets,
    private readonly metrics: MetricsService,
    @Optional() @Inject(DELIVERY_WORKER_OPTIONS) options?: DeliveryWorkerOptions,
  ) {
    this.logger = rootLogger.child({ component: 'delivery-worker' });
    this.sender = new WebhookSender({
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      allowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    });
    this.rateWindowSeconds = options?.rateWindowSeconds ?? 60;
    this.leaseSeconds = Math.ceil(config.WEBHOOK_TIMEOUT_MS / 1000) + LEASE_MARGIN_SECONDS;
    // Successes of the moment in one statement (the rest wait for it and go in the next one).
    this.delivered = new BatchCoalescer((outcomes) => repository.markDeliveredMany(outcomes), {
      maxItems: 500,
    });
    this.deliveries = new Counter({
      name: 'newsflow_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, retrying, failed, held, stale)',
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
    this.disabled = new Counter({
      name: 'newsflow_webhook_subscriptions_disabled_total',
      help: 'Subscriptions disabled because their endpoint kept failing',
      registers: [metrics.registry],
    });
    const queued = new Gauge({
      name: 'newsflow_webhook_deliveries_queued',
      help: 'Deliveries not sent yet: pending (due or retrying), held (subscription disabled), collected (digest window open)',
      labelNames: ['status'] as const,
      registers: [metrics.registry],
      // Read at scrape time; a failed read keeps the last values rather than failing the scrape.
      collect: async () => {
        try {
          const counts = new Map((await repository.countQueued()).map((row) => [row.status, row.count]));
          for (const status of ['pending', 'held', 'collected'] as const) {
            queued.set({ status }, counts.get(status) ?? 0);
          }
        } catch (error) {
          this.logger.warn({ err: error }, 'could not count queued deliveries');
        }
      },
    });
  }

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
    await Promise.all(this.handedOff);
    await this.delivered.settled();
  }

  /**
   * Reserves room for up to `wanted` deliveries that the caller claims and then hands over with
   * start(). None while stopping or when DELIVERY_MAX_IN_FLIGHT webhooks are out already.
   */
  reserve(wanted: number): HandOff {
    let reserved = this.stopping
      ? 0
      : Math.max(0, Math.min(wanted, this.config.DELIVERY_MAX_IN_FLIGHT - this.inFlight));
    this.inFlight += reserved;
    const unreserve = (kept: number) => {
      this.inFlight -= reserved - kept;
      reserved = 0;
    };
    return {
      limit: reserved,
      leaseSeconds: this.leaseSeconds,
      start: (claimed, sealedSecrets) => {
        if (claimed.length > reserved)
          throw new Error(`${claimed.length} deliveries handed over for ${reserved} places`);
        unreserve(claimed.length);
        if (claimed.length === 0) return;
        const sending = this.deliverAll(claimed, sealedSecrets).catch((error: unknown) =>
          this.logger.error(
            { err: error },
            'handed-over deliveries failed; the poll retries them once their lease runs out',
          ),
        );
        this.handedOff.add(sending);
        void sending.finally(() => this.handedOff.delete(sending));
      },
      release: () => unreserve(0),
    };
  }

  /** Polls at once (new deliveries are due that were not handed over), not after the interval. */
  wake(): void {
    if (this.endPause) this.endPause();
    else this.woken = true;
  }

  private async loop(): Promise<void> {
    while (!this.stopping) {
      const limit = Math.min(
        this.config.DELIVERY_BATCH_SIZE,
        this.config.DELIVERY_MAX_IN_FLIGHT - this.inFlight,
      );
      let claimed = 0;
      this.woken = false;
      try {
        await this.repository.flushDueDigests();
        if (limit > 0) claimed = await this.deliverBatch(limit);
      } catch (error) {
        this.logger.error({ err: error }, 'delivery batch failed; retrying after the poll interval');
      }
      this.starved = limit <= 0;
      // A full batch suggests more is due: go again at once.
      if (limit <= 0 || claimed < limit) await this.pause(this.config.DELIVERY_POLL_INTERVAL_MS);
    }
  }

  private async pause(ms: number): Promise<void> {
    if (this.woken || this.stopping) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.endPause?.(), ms);
      this.endPause = () => {
        clearTimeout(timer);
        this.endPause = undefined;
        resolve();
      };
    });
  }

  private async deliverBatch(limit: number): Promise<number> {
    const due = await this.repository.claimDue({
      limit,
      leaseSeconds: this.leaseSeconds,
      rateWindowSeconds: this.rateWindowSeconds,
    });
    if (due.length === 0) return 0;
    this.inFlight += due.length;
    await this.deliverAll(due);
    return due.length;
  }

  /**
   * Sends claimed deliveries, counted in inFlight already, and frees their room as each is done.
   * Their signing secrets are read now, unless they were read with the claim (`sealedSecrets`).
   * Rejects with the first failure once all are done.
   */
  private async deliverAll(
    due: readonly DueDelivery[],
    sealedSecrets?: ReadonlyMap<string, SealedSigningSecrets>,
  ): Promise<void> {
    let secrets: Map<string, readonly string[]>;
    try {
      secrets =
        sealedSecrets === undefined
          ? await this.signingSecrets.forSubscriptions([
              ...new Set(due.map((delivery) => delivery.subscriptionId)),
            ])
          : this.signingSecrets.open(sealedSecrets);
    } catch (error) {
      this.inFlight -= due.length;
      throw error;
    }
    const results = await Promise.allSettled(
      due.map(async (delivery) => {
        try {
          await this.deliver(delivery, secrets.get(delivery.subscriptionId));
        } finally {
          this.inFlight -= 1;
          if (this.starved) {
            this.starved = false;
            this.wake();
          }
        }
      }),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** `secrets`: all that sign now (several during a rotation's overlap); none if unreadable. */
  private async deliver(delivery: DueDelivery, secrets: readonly string[] | undefined): Promise<void> {
    const matchTraceParent = stringOrUndefined(matchData(delivery.payload)?.traceparent);
    const span = this.startAttemptSpan(delivery, matchTraceParent);
    let result: WebhookResult;
    try {
      result =
        secrets === undefined || secrets.length === 0
          ? { ok: false, error: 'no signing secret could be read for the subscription', durationMs: 0 }
          : await this.sender.send({
              url: delivery.webhookUrl,
              id: delivery.id,
              secret: secrets,
              body: JSON.stringify(delivery.payload),
              // The attempt's own span when tracing, else the match's context as the payload has it.
              traceParent: traceParentOf(span) ?? matchTraceParent,
            });
    } catch (error) {
      recordFailure(span, error);
      span.end();
      throw error;
    }
    endAttemptSpan(span, result);
    const attempt = {
      id: delivery.id,
      subscriptionId: delivery.subscriptionId,
      attempt: delivery.attempts,
      latencyMs: result.durationMs,
      responseBody: result.responseBody,
    };
    const context = {
      deliveryId: delivery.id,
      subscriptionId: delivery.subscriptionId,
      articleId: delivery.articleId,
      traceId: traceIdOf(matchTraceParent),
      kind: delivery.kind,
      attempt: delivery.attempts,
    };
    if (result.ok) {
      // The receiver has it: losing this record (a dropped connection, a database restart) would send
      // it again once the lease runs out, so the idempotent update is retried on a fresh connection.
      // Written with the other successes of the moment, in one statement.
      await retryBriefly(
        () => this.delivered.submit([{ ...attempt, statusCode: result.statusCode }]),
        (error, attemptNumber) =>
          this.logger.warn(
            { ...context, err: error, attemptNumber },
            'could not record a delivery; retrying',
          ),
      );
      this.record('delivered', result.durationMs);
      this.observeNotified(delivery);
      this.logger.info({ ...context, statusCode: result.statusCode }, 'webhook delivered');
      return;
    }
    // A redelivery asked for by hand is one attempt; the schedule is for automatic retries.
    const retryInSeconds = delivery.manual
      ? null
      : nextRetryDelaySeconds(this.config.WEBHOOK_RETRY_SCHEDULE, delivery.attempts);
    const { outcome, disabledReason } = await this.repository.markAttemptFailed({
      ...attempt,
      statusCode: result.statusCode,
      error: result.error,
      retryInSeconds,
      disableAfterHours: this.config.WEBHOOK_DISABLE_AFTER_HOURS,
    });
    this.record(outcome, result.durationMs);
    this.logger.warn(
      { ...context, statusCode: result.statusCode, error: result.error, outcome, retryInSeconds },
      'webhook delivery failed',
    );
    if (disabledReason !== undefined) {
      this.disabled.inc();
      this.logger.warn(
        { subscriptionId: delivery.subscriptionId, reason: disabledReason },
        'subscription disabled: its endpoint kept failing; deliveries are held until it is resumed',
      );
    }
  }

  /**
   * One attempt as an HTTP CLIENT span, child of the match that queued it (its context travels in the
   * payload). The URL is not recorded whole: a query string may hold the receiver's token.
   */
  private startAttemptSpan(delivery: DueDelivery, parent: string | undefined): Span {
    const url = URL.canParse(delivery.webhookUrl) ? new URL(delivery.webhookUrl) : undefined;
    return startSpan('POST webhook', {
      kind: SpanKind.CLIENT,
      parent,
      attributes: {
        'http.request.method': 'POST',
        ...(url && {
          'server.address': url.hostname,
          'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
          'url.scheme': url.protocol.replace(/:$/, ''),
        }),
        'newsflow.delivery.id': delivery.id,
        'newsflow.delivery.kind': delivery.kind,
        'newsflow.subscription.id': delivery.subscriptionId,
        'newsflow.attempt': delivery.attempts,
        ...(delivery.articleId ? { 'newsflow.article.id': delivery.articleId } : {}),
      },
    });
  }

  private record(outcome: Outcome, durationMs: number): void {
    this.deliveries.inc({ outcome });
    this.latency.observe({ outcome }, durationMs / 1000);
  }

  /**
   * End-to-end latency to `notified`: from ingestion first seeing the article to its webhook delivered.
   * Not for digests (they wait for their window on purpose) nor for redeliveries asked for by hand.
   */
  private observeNotified(delivery: DueDelivery): void {
    if (delivery.kind !== 'article' || delivery.manual) return;
    const firstSeenAt = stringOrUndefined(matchData(delivery.payload)?.article?.firstSeenAt);
    // Deliveries queued before the payload carried it have none.
    if (firstSeenAt !== undefined) this.metrics.observeEndToEnd('notified', firstSeenAt);
  }
}

function endAttemptSpan(span: Span, result: WebhookResult): void {
  if (result.statusCode !== undefined) span.setAttribute('http.response.status_code', result.statusCode);
  if (!result.ok) {
    span.setAttribute(
      'error.type',
      result.statusCode === undefined ? 'request_failed' : String(result.statusCode),
    );
    markFailed(span, result.error);
  }
  span.end();
}

/** The parts of an `article.matched` body (match-messages.ts) read back from a queued delivery. */
interface MatchData {
  traceparent?: unknown;
  article?: { firstSeenAt?: unknown };
}

function matchData(payload: object): MatchData | undefined {
  const data: unknown = (payload as { data?: unknown }).data;
  return typeof data === 'object' && data !== null ? (data as MatchData) : undefined;
}

const stringOrUndefined = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** Delays before each retry of a write that must not be lost; short enough to stay within the lease. */
const RECORD_RETRY_DELAYS_MS = [100, 500, 2_000];

async function retryBriefly(
  write: () => Promise<void>,
  onError: (error: unknown, attemptNumber: number) => void,
): Promise<void> {
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      await write();
      return;
    } catch (error) {
      const delay = RECORD_RETRY_DELAYS_MS[attemptNumber - 1];
      if (delay === undefined) throw error;
      onError(error, attemptNumber);
      await sleep(delay);
    }
  }
}
