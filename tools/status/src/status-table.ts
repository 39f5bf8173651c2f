import { type PipelineStatus, type StageRow } from './pipeline-status';

export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** Columns padded to their widest cell, two spaces apart; no trailing spaces. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string[] {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        const width = widths[index] ?? 0;
        return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((column) => column.header)), ...rows.map(line)];
}

const NONE = '-';

export const formatCount = (value: number): string => Math.round(value).toLocaleString('en-US');

export function formatRate(value: number | undefined): string {
  if (value === undefined) return NONE;
  return value >= 100 ? formatCount(value) : value.toFixed(1);
}

/** 0.042 → "42 ms", 3.21 → "3.2 s", 754 → "12m 34s", 7_380 → "2h 03m". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return NONE;
  if (seconds === 0) return '0';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const whole = Math.round(seconds);
  if (whole < 3_600) return `${Math.floor(whole / 60)}m ${String(whole % 60).padStart(2, '0')}s`;
  const hours = Math.floor(whole / 3_600);
  if (hours < 48) return `${hours}h ${String(Math.floor((whole % 3_600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${String(hours % 24).padStart(2, '0')}h`;
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return NONE;
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

function otherOutcomes(row: StageRow): string {
  return Object.entries(row.byOutcome)
    .filter(([outcome, count]) => outcome !== 'success' && count > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([outcome, count]) => `${outcome} ${formatCount(count)}`)
    .join(', ');
}

/** The whole status as the terminal shows it. */
export function renderStatus(status: PipelineStatus): string {
  const when = status.at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const rates =
    status.rateWindowSeconds === undefined
      ? 'rates since each service started'
      : `rates over the last ${status.rateWindowSeconds.toFixed(1)} s`;
  const lines = [`Newsflow pipeline at ${when} (${rates})`, ''];

  lines.push(
    ...renderTable(
      [
        { header: 'SERVICE' },
        { header: 'HEALTH' },
        { header: 'UPTIME', align: 'right' },
        { header: 'RSS', align: 'right' },
        { header: 'DB POOL (TOTAL/IDLE/WAITING)' },
        { header: 'URL' },
      ],
      status.services.map((row) => [
        row.service,
        row.health.state,
        formatDuration(row.uptimeSeconds),
        formatBytes(row.rssBytes),
        row.dbPool ? `${row.dbPool.total}/${row.dbPool.idle}/${row.dbPool.waiting}` : NONE,
        [
          row.url,
          row.health.detail,
          row.metricsError !== undefined &&
            row.metricsError !== row.health.detail &&
            `metrics: ${row.metricsError}`,
        ]
          .filter((part) => part)
          .join('  '),
      ]),
    ),
    '',
  );

  lines.push(
    ...renderTable(
      [
        { header: 'STAGE' },
        { header: 'ARTICLES', align: 'right' },
        { header: 'RATE/S', align: 'right' },
        { header: 'SUCCESS', align: 'right' },
        { header: 'DEAD LETTERS', align: 'right' },
        { header: 'RETRIES', align: 'right' },
        { header: 'OTHER OUTCOMES' },
      ],
      status.stages.map((row) =>
        row.known
          ? [
              row.stage,
              formatCount(row.total),
              formatRate(row.ratePerSecond),
              formatCount(row.byOutcome['success'] ?? 0),
              formatCount(row.deadLetters),
              formatCount(row.retries),
              otherOutcomes(row),
            ]
          : [row.stage, NONE, NONE, NONE, NONE, NONE, `(${row.service ?? 'its service'} gave no metrics)`],
      ),
    ),
    '',
  );

  if (status.latency.length > 0) {
    lines.push(
      ...renderTable(
        [
          { header: 'END TO END (SINCE START)' },
          { header: 'ARTICLES', align: 'right' },
          { header: 'P50', align: 'right' },
          { header: 'P95', align: 'right' },
          { header: 'P99', align: 'right' },
        ],
        status.latency.map((row) => [
          `first seen → ${row.to}`,
          formatCount(row.count),
          formatDuration(row.p50),
          formatDuration(row.p95),
          formatDuration(row.p99),
        ]),
      ),
      '',
    );
  }

  lines.push(
    ...(status.lag.length === 0
      ? ['Consumer lag: no consumer reports any (consuming services down or starting)']
      : renderTable(
          [
            { header: 'CONSUMER GROUP' },
            { header: 'TOPIC' },
            { header: 'LAG (MESSAGES)', align: 'right' },
            { header: 'LAG (SECONDS)', align: 'right' },
            { header: 'PARTITIONS LAGGING', align: 'right' },
          ],
          status.lag.map((row) => [
            row.group,
            row.topic,
            formatCount(row.messages),
            formatDuration(row.seconds),
            `${row.laggingPartitions}/${row.partitions}`,
          ]),
        )),
    '',
  );

  const deliveries = status.deliveries;
  lines.push(
    deliveries
      ? `Deliveries: ${formatCount(deliveries.pending)} pending, ${formatCount(deliveries.held)} held, ` +
          `${formatCount(deliveries.collected)} in digests; since start ${formatCount(deliveries.delivered)} delivered, ` +
          `${formatCount(deliveries.retrying)} retried, ${formatCount(deliveries.failed)} failed`
      : 'Deliveries: unknown (notification gave no metrics)',
    `Dead letters since start: ${formatCount(status.deadLetters)}`,
    `Ingest backlog: ${status.ingestBacklog === undefined ? 'unknown (ingestion gave no metrics)' : `${formatCount(status.ingestBacklog)} objects`}`,
  );
  if (status.notUp.length > 0) {
    lines.push('', `Not up: ${status.notUp.join(', ')}`);
  }
  return lines.join('\n');
}
