/**
 * The storage benchmark's numbers: rates from raw timings, the issue's aims, and the table printed to
 * stdout and written as Markdown beside the JSON in bench/results/.
 */
import { type TableTiming } from './copy-load';
import { type LatencySummary } from './latency';
import { type QueryType } from './query-mix';
import { type TableComparison } from './verify';

export const STORAGE_AIMS = {
  articlesPerSecond: 5_000,
  /** Consumer path articles/s over raw COPY articles/s. */
  copyRatio: 0.5,
  p95Ms: 50,
  queryArticles: 100_000,
} as const;

export interface CorpusSummary {
  /** Events in the cache (the corpus, de-duplicated), and those long enough for --min-words. */
  cached: number;
  used: number;
  generated: boolean;
  seconds: number;
  meanWords: number;
  meanEntities: number;
  meanKeywords: number;
}

export interface ConsumerSummary {
  articles: number;
  /** Rows the articles make in every storage table, entity links included. */
  rows: number;
  entityLinks: number;
  publishSeconds: number;
  /** Messages on the topics from other producers during the run (read by the service too). */
  foreignEvents: number;
  startupSeconds: number;
  seconds: number;
  articlesPerSecond: number;
  linksPerSecond: number;
  rowsPerSecond: number;
  /** Between 10% and 90% of the events committed: the rate without the first and last chunks. */
  steadyArticlesPerSecond: number | undefined;
  serviceCpuSeconds: number | undefined;
  postgresCpuSeconds: number | undefined;
  brokerCpuSeconds: number | undefined;
  meanChunk: Record<string, number>;
  deadLetters: number | undefined;
}

export interface CopySummary {
  tables: TableTiming[];
  seconds: number;
  rows: number;
  bytes: number;
  rowsPerSecond: number;
  articlesPerSecond: number;
  postgresCpuSeconds: number | undefined;
  comparison: TableComparison[];
}

export interface QuerySummary {
  storedArticles: number;
  setupSeconds: number;
  requests: number;
  warmup: number;
  overall: LatencySummary;
  byType: { type: QueryType; summary: LatencySummary; meanItems: number }[];
  failures: number;
  shallowDeepPages: number;
  seconds: number;
}

export interface AimCheck {
  aim: string;
  measured: string;
  pass: boolean;
  note?: string;
}

export interface StorageReport {
  corpus: CorpusSummary;
  consumer: ConsumerSummary;
  copy: CopySummary;
  ratio: number;
  queries: QuerySummary | undefined;
  servicePeakRss: number | undefined;
}

export const int = (value: number): string => Math.round(value).toLocaleString('en-US');
const fixed = (value: number | undefined, digits = 1) =>
  value === undefined ? 'n/a' : value.toFixed(digits);
const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 1e6).toFixed(0)} MB`);

export function rate(count: number, seconds: number): number {
  return count / Math.max(seconds, Number.EPSILON);
}

/**
 * Articles/s between the first sample at or above 10% of the events and the first at or above 90%;
 * undefined with too few samples (a drain of a second or two).
 */
export function steadyRate(
  samples: readonly { at: number; ingested: number; enriched: number }[],
  totalEvents: number,
  articlesPerEvent: number,
): number | undefined {
  const done = (sample: { ingested: number; enriched: number }) => sample.ingested + sample.enriched;
  const low = samples.find((sample) => done(sample) >= 0.1 * totalEvents);
  const high = samples.find((sample) => done(sample) >= 0.9 * totalEvents);
  if (!low || !high || high.at <= low.at) return undefined;
  return ((done(high) - done(low)) * articlesPerEvent) / (high.at - low.at);
}

export function checkStorageAims(report: StorageReport): AimCheck[] {
  const checks: AimCheck[] = [
    {
      aim: `≥ ${int(STORAGE_AIMS.articlesPerSecond)} articles/s stored through the consumer path`,
      measured: `${int(report.consumer.articlesPerSecond)} articles/s`,
      pass: report.consumer.articlesPerSecond >= STORAGE_AIMS.articlesPerSecond,
    },
    {
      aim: `consumer path ≥ ${STORAGE_AIMS.copyRatio} × raw COPY`,
      measured: `${report.ratio.toFixed(2)} (COPY ${int(report.copy.articlesPerSecond)} articles/s)`,
      pass: report.ratio >= STORAGE_AIMS.copyRatio,
    },
  ];
  if (report.queries) {
    const few = report.queries.storedArticles < STORAGE_AIMS.queryArticles;
    checks.push({
      aim: `p95 of GET /api/articles?q=... < ${STORAGE_AIMS.p95Ms} ms on ≥ ${int(STORAGE_AIMS.queryArticles)} articles`,
      measured: `${report.queries.overall.p95Ms.toFixed(1)} ms on ${int(report.queries.storedArticles)} articles`,
      pass: report.queries.overall.p95Ms < STORAGE_AIMS.p95Ms && !few,
      note: few ? 'fewer articles stored than the aim asks for' : undefined,
    });
  }
  return checks;
}

export function aimLine(check: AimCheck): string {
  return `${check.pass ? 'PASS' : 'FAIL'}  ${check.aim}; measured ${check.measured}${check.note ? ` (${check.note})` : ''}`;
}

/** The throughput table: consumer path, raw COPY and their ratio. */
export function throughputRows(report: StorageReport): string[][] {
  const { consumer, copy } = report;
  return [
    ['', 'articles', 'rows', 'seconds', 'articles/s', 'entity links/s', 'rows/s'],
    [
      'consumer path (Kafka → service → Postgres)',
      int(consumer.articles),
      int(consumer.rows),
      consumer.seconds.toFixed(2),
      int(consumer.articlesPerSecond),
      int(consumer.linksPerSecond),
      int(consumer.rowsPerSecond),
    ],
    [
      'raw COPY of the same rows',
      int(consumer.articles),
      int(copy.rows),
      copy.seconds.toFixed(2),
      int(copy.articlesPerSecond),
      int(rate(consumer.entityLinks, copy.seconds)),
      int(copy.rowsPerSecond),
    ],
    ['consumer / COPY', '', '', '', report.ratio.toFixed(2), '', ''],
  ];
}

export function latencyRows(queries: QuerySummary): string[][] {
  const row = (name: string, summary: LatencySummary, items: string) => [
    name,
    int(summary.count),
    summary.p50Ms.toFixed(1),
    summary.p95Ms.toFixed(1),
    summary.p99Ms.toFixed(1),
    summary.maxMs.toFixed(1),
    items,
  ];
  return [
    ['query kind', 'requests', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'mean items'],
    row('all', queries.overall, ''),
    ...queries.byType.map(({ type, summary, meanItems }) => row(type, summary, meanItems.toFixed(1))),
  ];
}

/** Rows as aligned plain-text columns: the first column left-aligned, the others right-aligned. */
export function textTable(rows: readonly string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function markdownTable(rows: readonly string[][]): string {
  const [header, ...body] = rows;
  if (!header) return '';
  const line = (row: readonly string[]) => `| ${row.join(' | ')} |`;
  return [line(header), `|${' --- |'.repeat(header.length)}`, ...body.map(line)].join('\n');
}

/** Where the consumer path's time went: CPU seconds of each process group during the drain. */
export function cpuLine(consumer: ConsumerSummary): string {
  return (
    `CPU during the drain (${consumer.seconds.toFixed(2)} s on the wall): storage service ${fixed(consumer.serviceCpuSeconds, 2)} s, ` +
    `Postgres ${fixed(consumer.postgresCpuSeconds, 2)} s (all its processes), Kafka broker ${fixed(consumer.brokerCpuSeconds, 2)} s`
  );
}

export function chunkLine(consumer: ConsumerSummary): string {
  const topics = Object.entries(consumer.meanChunk);
  if (topics.length === 0) return 'Chunks: n/a (no /metrics)';
  return `Mean chunk (messages per transaction): ${topics.map(([topic, mean]) => `${topic} ${mean.toFixed(0)}`).join(', ')}`;
}

export function copyTablesRows(copy: CopySummary): string[][] {
  return [
    [
      'table',
      'rows',
      'MB',
      'seconds',
      'rows/s',
      'stored by the service',
      'differing rows',
      'placed otherwise',
    ],
    ...copy.tables.map((timing) => {
      const compared = copy.comparison.find((comparison) => comparison.table === timing.table);
      return [
        timing.table,
        int(timing.rows),
        (timing.bytes / 1e6).toFixed(1),
        timing.seconds.toFixed(2),
        int(rate(timing.rows, timing.seconds)),
        compared ? int(compared.rows) : 'n/a',
        compared ? int(compared.onlyStored + compared.onlyStaged) : 'n/a',
        compared?.placedOtherwise === undefined ? '' : int(compared.placedOtherwise),
      ];
    }),
  ];
}

export function copyFootnote(copy: CopySummary): string {
  return (
    `COPY: ${copy.seconds.toFixed(2)} s in one transaction, Postgres CPU ${fixed(copy.postgresCpuSeconds, 2)} s. ` +
    '"Differing rows": rows of the benchmark\'s articles that the service and the COPY did not both write; ' +
    '"placed otherwise": entities whose name resolves to different places in different articles, where the ' +
    'place kept depends on the order the articles were written in'
  );
}

export function rssLine(report: StorageReport): string {
  return `Storage service peak RSS (VmHWM): ${mb(report.servicePeakRss)}`;
}

/** True when the COPY wrote exactly the rows the service wrote. */
export function rowsMatch(copy: CopySummary): boolean {
  return copy.comparison.every(
    (comparison) =>
      comparison.onlyStored === 0 && comparison.onlyStaged === 0 && comparison.rows === comparison.stagedRows,
  );
}
