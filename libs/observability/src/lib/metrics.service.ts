import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The metrics every service exposes, under one naming scheme (`newsflow_*`), so one dashboard reads
 * all of them. Services add their own metrics to `registry`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly articles = new Counter({
    name: 'newsflow_articles_total',
    help: 'Articles (or input files) handled, by pipeline stage and outcome',
    labelNames: ['stage', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly stageDuration = new Histogram({
    name: 'newsflow_stage_duration_seconds',
    help: 'Time a stage spends on one article, from message received to offset committed',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'newsflow_dead_letters_total',
    help: 'Messages sent to the dead-letter topic, by stage, source topic and error code',
    labelNames: ['stage', 'topic', 'code'] as const,
    registers: [this.registry],
  });

  readonly retries = new Counter({
    name: 'newsflow_retries_total',
    help: 'Message handling attempts that failed and were retried',
    labelNames: ['stage', 'topic', 'code'] as const,
    registers: [this.registry],
  });

  readonly consumedBatchSize = new Histogram({
    name: 'newsflow_consumer_batch_size',
    help: 'Messages per chunk consumed in batch mode (one transaction each), by stage and topic',
    labelNames: ['stage', 'topic'] as const,
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000],
    registers: [this.registry],
  });

  /**
   * From the moment ingestion first saw an article's object (`firstSeenAt`) to a later stage: `enriched`
   * (its enriched event published), `stored` (its enrichment committed in storage), `notified` (a webhook
   * about it delivered). Replayed articles keep their `firstSeenAt`, so a replay lands above the top bucket.
   */
  readonly endToEndLatency = new Histogram({
    name: 'newsflow_end_to_end_latency_seconds',
    help: 'Seconds from ingestion first seeing an article to it reaching a stage (to: enriched, stored, notified)',
    labelNames: ['to'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });

  /**
   * Every HTTP request a service answered. `route` is the matched route template (`/api/articles/:id`),
   * never the URL, so ids and query strings add no series; requests no route matched (404s, bodies
   * refused before routing, static files) are `unmatched`. The service is the scrape target's label.
   */
  readonly httpRequestDuration = new Histogram({
    name: 'newsflow_http_request_duration_seconds',
    help: 'HTTP requests by method, matched route template and status code: time to the last byte of the answer',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly httpRequestsInFlight = new Gauge({
    name: 'newsflow_http_requests_in_flight',
    help: 'HTTP requests received and not answered yet',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Observes the end-to-end latency of an article that reached `to` now. A timestamp that does not parse
   * is skipped; one in the future (clocks of two hosts) counts as 0.
   */
  observeEndToEnd(to: EndToEndStage, firstSeenAt: string | Date, now: Date = new Date()): void {
    const seen = typeof firstSeenAt === 'string' ? Date.parse(firstSeenAt) : firstSeenAt.getTime();
    if (Number.isNaN(seen)) return;
    this.endToEndLatency.observe({ to }, Math.max(0, now.getTime() - seen) / 1000);
  }
}

/** The stages end-to-end latency is measured to. */
export type EndToEndStage = 'enriched' | 'stored' | 'notified';
