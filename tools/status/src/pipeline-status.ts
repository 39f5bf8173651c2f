import { type Sample } from './prometheus-text';
import { type HealthAnswer, type MetricsScrape, type ServiceScrape } from './scrape';
import { type ServiceName } from './status-options';

/** The stages of `newsflow_articles_total`, in pipeline order, with the service that counts each. */
export const STAGE_SERVICES: readonly (readonly [string, ServiceName])[] = [
  ['ingestion', 'ingestion'],
  ['enrichment', 'enrichment'],
  ['storage', 'storage'],
  ['storage_enrichment', 'storage'],
  ['notification', 'notification'],
];

export interface ServiceRow {
  service: ServiceName;
  url: string;
  health: HealthAnswer;
  uptimeSeconds?: number;
  rssBytes?: number;
  dbPool?: { total: number; idle: number; waiting: number };
  metricsError?: string;
}

export interface StageRow {
  stage: string;
  service: ServiceName | undefined;
  /** False when the service counting this stage gave no metrics: the other fields are then unknown. */
  known: boolean;
  total: number;
  byOutcome: Record<string, number>;
  /** Articles (all outcomes) per second over the interval, or since the service started. */
  ratePerSecond?: number;
  deadLetters: number;
  retries: number;
}

export interface LatencyRow {
  to: string;
  count: number;
  p50?: number;
  p95?: number;
  p99?: number;
}

export interface LagRow {
  group: string;
  topic: string;
  /** Summed over partitions. */
  messages: number;
  /** The oldest uncommitted message of any partition. */
  seconds: number;
  partitions: number;
  laggingPartitions: number;
}

export interface DeliveryCounts {
  pending: number;
  held: number;
  collected: number;
  delivered: number;
  retrying: number;
  failed: number;
}

export interface PipelineStatus {
  at: string;
  /** Seconds between the two scrapes the rates come from, or undefined for rates since start. */
  rateWindowSeconds?: number;
  services: ServiceRow[];
  stages: StageRow[];
  latency: LatencyRow[];
  lag: LagRow[];
  deliveries?: DeliveryCounts;
  ingestBacklog?: number;
  deadLetters: number;
  /** Services not `up`. */
  notUp: ServiceName[];
}

/** Turns the scrapes of every service into the pipeline's status. */
export function summarise(scrapes: readonly ServiceScrape[], now: Date = new Date()): PipelineStatus {
  const latest = (scrape: ServiceScrape): MetricsScrape | undefined =>
    scrape.scrapes[scrape.scrapes.length - 1];
  const all = scrapes.flatMap((scrape) => latest(scrape)?.samples ?? []);
  const windows = scrapes.map((scrape) => scrape.scrapes).filter((pair) => pair.length === 2);
  const window = windows[0];
  return {
    at: now.toISOString(),
    rateWindowSeconds: window ? secondsBetween(window[0], window[1]) : undefined,
    services: scrapes.map((scrape) => serviceRow(scrape, latest(scrape)?.samples ?? [], now)),
    stages: stageRows(scrapes, now),
    latency: latencyRows(all),
    lag: lagRows(all),
    deliveries: deliveryCounts(scrapes.find((scrape) => scrape.service === 'notification')),
    ingestBacklog: first(all, 'newsflow_ingest_backlog_objects'),
    deadLetters: sum(all, 'newsflow_dead_letters_total'),
    notUp: scrapes.filter((scrape) => scrape.health.state !== 'up').map((scrape) => scrape.service),
  };
}

function serviceRow(scrape: ServiceScrape, samples: readonly Sample[], now: Date): ServiceRow {
  const started = first(samples, 'process_start_time_seconds');
  const pool = (state: string) => first(samples, 'newsflow_db_pool_connections', { state });
  const total = pool('total');
  return {
    service: scrape.service,
    url: scrape.url,
    health: scrape.health,
    uptimeSeconds: started === undefined ? undefined : Math.max(0, now.getTime() / 1000 - started),
    rssBytes: first(samples, 'process_resident_memory_bytes'),
    dbPool:
      total === undefined ? undefined : { total, idle: pool('idle') ?? 0, waiting: pool('waiting') ?? 0 },
    ...(scrape.metricsError === undefined ? {} : { metricsError: scrape.metricsError }),
  };
}

function stageRows(scrapes: readonly ServiceScrape[], now: Date): StageRow[] {
  const rows: StageRow[] = [];
  const seen = new Set<string>();
  for (const scrape of scrapes) {
    const last = scrape.scrapes[scrape.scrapes.length - 1];
    if (!last) continue;
    const stages = new Set(
      last.samples
        .filter((sample) => sample.name === 'newsflow_articles_total')
        .map((sample) => sample.labels['stage'] ?? ''),
    );
    for (const stage of stages) {
      seen.add(stage);
      rows.push(stageRow(stage, scrape, now));
    }
  }
  // Every stage has its row: 0 when its service counted nothing yet, unknown when it gave no metrics.
  for (const [stage, service] of STAGE_SERVICES) {
    if (seen.has(stage)) continue;
    const known = (scrapes.find((scrape) => scrape.service === service)?.scrapes.length ?? 0) > 0;
    rows.push({
      stage,
      service,
      known,
      total: 0,
      byOutcome: {},
      ...(known ? { ratePerSecond: 0 } : {}),
      deadLetters: 0,
      retries: 0,
    });
  }
  const order = (stage: string) => {
    const index = STAGE_SERVICES.findIndex(([known]) => known === stage);
    return index === -1 ? STAGE_SERVICES.length : index;
  };
  return rows.sort((a, b) => order(a.stage) - order(b.stage) || a.stage.localeCompare(b.stage));
}

function stageRow(stage: string, scrape: ServiceScrape, now: Date): StageRow {
  const [earlier, later] = scrape.scrapes;
  const last = (later ?? earlier) as MetricsScrape;
  const byOutcome: Record<string, number> = {};
  for (const sample of last.samples) {
    if (sample.name !== 'newsflow_articles_total' || sample.labels['stage'] !== stage) continue;
    const outcome = sample.labels['outcome'] ?? 'unknown';
    byOutcome[outcome] = (byOutcome[outcome] ?? 0) + sample.value;
  }
  const total = Object.values(byOutcome).reduce((a, b) => a + b, 0);
  let ratePerSecond: number | undefined;
  if (earlier && later) {
    const before = sum(earlier.samples, 'newsflow_articles_total', { stage });
    ratePerSecond = Math.max(0, total - before) / secondsBetween(earlier, later);
  } else {
    const started = first(last.samples, 'process_start_time_seconds');
    const uptime = started === undefined ? 0 : now.getTime() / 1000 - started;
    if (uptime > 0) ratePerSecond = total / uptime;
  }
  return {
    stage,
    service: scrape.service,
    known: true,
    total,
    byOutcome,
    ratePerSecond,
    deadLetters: sum(last.samples, 'newsflow_dead_letters_total', { stage }),
    retries: sum(last.samples, 'newsflow_retries_total', { stage }),
  };
}

function latencyRows(samples: readonly Sample[]): LatencyRow[] {
  const buckets = samples.filter((sample) => sample.name === 'newsflow_end_to_end_latency_seconds_bucket');
  const stages = [...new Set(buckets.map((sample) => sample.labels['to'] ?? ''))];
  const order = ['enriched', 'stored', 'notified'];
  return stages
    .sort((a, b) => order.indexOf(a) - order.indexOf(b))
    .map((to) => {
      const own = buckets.filter((sample) => sample.labels['to'] === to);
      const count = sum(samples, 'newsflow_end_to_end_latency_seconds_count', { to });
      return {
        to,
        count,
        p50: histogramQuantile(0.5, own),
        p95: histogramQuantile(0.95, own),
        p99: histogramQuantile(0.99, own),
      };
    });
}

/**
 * The q-quantile of a histogram from its cumulative `_bucket` samples, as PromQL's histogram_quantile
 * estimates it: linear within the bucket the rank falls in; the highest finite bound when it falls in
 * the +Inf bucket; undefined for an empty histogram.
 */
export function histogramQuantile(q: number, buckets: readonly Sample[]): number | undefined {
  const sorted = buckets
    .map((sample) => ({
      le: Number(sample.labels['le'] === '+Inf' ? Infinity : sample.labels['le']),
      count: sample.value,
    }))
    .filter((bucket) => !Number.isNaN(bucket.le))
    .sort((a, b) => a.le - b.le);
  const total = sorted[sorted.length - 1]?.count ?? 0;
  if (total === 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of sorted) {
    if (bucket.count >= rank) {
      if (bucket.le === Infinity) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      return inBucket === 0
        ? bucket.le
        : lowerBound + ((bucket.le - lowerBound) * (rank - lowerCount)) / inBucket;
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}

function lagRows(samples: readonly Sample[]): LagRow[] {
  // Several instances of a service report the same group's partitions: keep the highest of each.
  const partitions = new Map<string, { group: string; topic: string; messages: number; seconds: number }>();
  for (const sample of samples) {
    const metric =
      sample.name === 'newsflow_consumer_lag_messages'
        ? 'messages'
        : sample.name === 'newsflow_consumer_lag_seconds'
          ? 'seconds'
          : undefined;
    if (metric === undefined) continue;
    const { group = '', topic = '', partition = '' } = sample.labels;
    const key = `${group}\u0000${topic}\u0000${partition}`;
    const entry = partitions.get(key) ?? { group, topic, messages: 0, seconds: 0 };
    entry[metric] = Math.max(entry[metric], sample.value);
    partitions.set(key, entry);
  }
  const rows = new Map<string, LagRow>();
  for (const { group, topic, messages, seconds } of partitions.values()) {
    const key = `${group}\u0000${topic}`;
    const row = rows.get(key) ?? {
      group,
      topic,
      messages: 0,
      seconds: 0,
      partitions: 0,
      laggingPartitions: 0,
    };
    row.messages += messages;
    row.seconds = Math.max(row.seconds, seconds);
    row.partitions += 1;
    if (messages > 0) row.laggingPartitions += 1;
    rows.set(key, row);
  }
  return [...rows.values()].sort((a, b) => a.group.localeCompare(b.group) || a.topic.localeCompare(b.topic));
}

function deliveryCounts(scrape: ServiceScrape | undefined): DeliveryCounts | undefined {
  const samples = scrape?.scrapes[scrape.scrapes.length - 1]?.samples;
  if (!samples) return undefined;
  const queued = (status: string) => sum(samples, 'newsflow_webhook_deliveries_queued', { status });
  const attempts = (outcome: string) => sum(samples, 'newsflow_webhook_deliveries_total', { outcome });
  return {
    pending: queued('pending'),
    held: queued('held'),
    collected: queued('collected'),
    delivered: attempts('delivered'),
    retrying: attempts('retrying'),
    failed: attempts('failed'),
  };
}

function matches(sample: Sample, name: string, labels: Readonly<Record<string, string>>): boolean {
  return (
    sample.name === name && Object.entries(labels).every(([label, value]) => sample.labels[label] === value)
  );
}

function sum(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  return samples
    .filter((sample) => matches(sample, name, labels))
    .reduce((total, sample) => total + sample.value, 0);
}

function first(
  samples: readonly Sample[],
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  return samples.find((sample) => matches(sample, name, labels))?.value;
}

function secondsBetween(earlier: MetricsScrape, later: MetricsScrape): number {
  return Math.max(0.001, (later.at - earlier.at) / 1000);
}
