/** The end-to-end benchmark's numbers, its aims and their tables (text for the terminal, Markdown). */
import { type LatencySummary } from '../storage/latency';
import { int, markdownTable, textTable } from '../storage/report';
import { type EnrichAloneResult } from './enrich-alone';
import { type TableWrites } from './table-writes';
import { type StageResult } from './timeline';

export { markdownTable, textTable };

/** The issue's aims, on a 2-core machine with Kafka and Postgres on it too. */
export const E2E_AIMS = {
  fullSpeedArticlesPerSecond: 300,
  shareOfEnrichmentAlone: 0.7,
  steadyP99StoredMs: 1_000,
} as const;

export const STAGES = ['ingested', 'enriched', 'stored', 'notified'] as const;
export type Stage = (typeof STAGES)[number];

const STAGE_LABELS: Record<Stage, string> = {
  ingested: 'ingested (event published)',
  enriched: 'enriched (event published)',
  stored: 'stored (with enrichment)',
  notified: 'webhook received',
};

export interface PhaseReport {
  /** 'warm-up' is run and checked like the others but left out of the results. */
  name: 'warm-up' | 'steady' | 'full';
  /** Offered rate of the steady phase; undefined at full speed. */
  offeredRate: number | undefined;
  files: { text: number; ndjson: number };
  articles: { text: number; ndjson: number };
  /** From the first to the last drop. */
  dropSeconds: number;
  /** From the first drop to the end of the phase (everything stored and delivered, or given up). */
  seconds: number;
  stages: Record<Stage, StageResult>;
  /** The rate between 10% and 90% of the articles reaching the stage. */
  middleRates: Record<Stage, number | undefined>;
  /** Drop to stored per kind of file. */
  storedByKind: Partial<Record<'text' | 'ndjson', LatencySummary>>;
  /** CPU seconds used during the phase, per process (group). */
  cpuSeconds: Record<string, number | undefined>;
  /** Of the benchmark database's backends' CPU seconds, those serving each service's connections. */
  postgresByService: Record<string, number | undefined>;
  /** Rows written per table of the benchmark database during the phase, busiest first. */
  tableWrites: TableWrites[];
  /** Largest consumer lag seen, messages, per `<service> <topic>`. */
  peakLag: Record<string, number>;
  /** Articles of the phase found in storage with their enrichment after it (the join's cross-check). */
  rowsWithEnrichment: number;
  stalled: boolean;
}

export interface AimCheck {
  aim: string;
  target: string;
  measured: string;
  pass: boolean | undefined;
}

export interface E2eReport {
  /** CPU seconds per second per process while the stack was running with nothing to do. */
  idleCpu: Record<string, number | undefined>;
  phases: PhaseReport[];
  enrichmentAlone: EnrichAloneResult | undefined;
  /** Full-speed drop-to-stored rate over the enrichment-alone rate. */
  shareOfEnrichmentAlone: number | undefined;
  /** Peak resident memory per process, bytes. */
  peakRss: Record<string, number | undefined>;
}

export function checkE2eAims(report: E2eReport): AimCheck[] {
  const full = report.phases.find((phase) => phase.name === 'full');
  const steady = report.phases.find((phase) => phase.name === 'steady');
  const fullRate = full?.stages.stored.articlesPerSecond;
  const steadyP99 =
    steady && steady.stages.stored.reached > 0 ? steady.stages.stored.latency.p99Ms : undefined;
  return [
    {
      aim: 'full speed, drop to stored',
      target: `≥ ${E2E_AIMS.fullSpeedArticlesPerSecond} articles/s`,
      measured: fullRate === undefined ? 'not run' : `${int(fullRate)} articles/s`,
      pass: fullRate === undefined ? undefined : fullRate >= E2E_AIMS.fullSpeedArticlesPerSecond,
    },
    {
      aim: 'pipeline rate / enrichment alone',
      target: `≥ ${Math.round(E2E_AIMS.shareOfEnrichmentAlone * 100)}%`,
      measured:
        report.shareOfEnrichmentAlone === undefined ? 'not run' : percent(report.shareOfEnrichmentAlone),
      pass:
        report.shareOfEnrichmentAlone === undefined
          ? undefined
          : report.shareOfEnrichmentAlone >= E2E_AIMS.shareOfEnrichmentAlone,
    },
    {
      aim: `p99 drop to stored at ${steady?.offeredRate ?? 100} articles/s`,
      target: `< ${E2E_AIMS.steadyP99StoredMs} ms`,
      measured: steadyP99 === undefined ? 'not run' : `${int(steadyP99)} ms`,
      pass: steadyP99 === undefined ? undefined : steadyP99 < E2E_AIMS.steadyP99StoredMs,
    },
  ];
}

export function aimLine(check: AimCheck): string {
  const verdict = check.pass === undefined ? 'n/a ' : check.pass ? 'PASS' : 'FAIL';
  return `${verdict} ${check.aim}: ${check.measured} (aim ${check.target})`;
}

export function phaseTitle(phase: PhaseReport): string {
  const what =
    phase.name === 'steady' ? `steady, ${int(phase.offeredRate ?? 0)} articles/s offered` : 'full speed';
  const files = [
    phase.files.text > 0 ? `${int(phase.articles.text)} as text files` : undefined,
    phase.files.ndjson > 0
      ? `${int(phase.articles.ndjson)} in ${int(phase.files.ndjson)} NDJSON file${phase.files.ndjson === 1 ? '' : 's'}`
      : undefined,
  ].filter((part) => part !== undefined);
  return `${what}: ${int(phase.articles.text + phase.articles.ndjson)} articles (${files.join(', ')}), dropped in ${phase.dropSeconds.toFixed(1)} s`;
}

/** One row per stage: reached, rate over the phase and in its middle, latency percentiles. */
export function stageRows(phase: PhaseReport): string[][] {
  const rows = [['drop to', 'reached', 'articles/s', 'middle 80%', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms']];
  for (const stage of STAGES) {
    const result = phase.stages[stage];
    rows.push([
      STAGE_LABELS[stage],
      `${int(result.reached)}/${int(result.dropped)}`,
      int(result.articlesPerSecond),
      phase.middleRates[stage] === undefined ? 'n/a' : int(phase.middleRates[stage] ?? 0),
      ...latencyCells(result.latency),
    ]);
  }
  return rows;
}

function latencyCells(summary: LatencySummary): string[] {
  return summary.count === 0
    ? ['n/a', 'n/a', 'n/a', 'n/a']
    : [summary.p50Ms, summary.p95Ms, summary.p99Ms, summary.maxMs].map((ms) => int(ms));
}

/** `ingestion 12.3 s, enrichment 40.1 s, …` of the phase's CPU seconds, with their share of the wall time. */
export function cpuLine(phase: PhaseReport): string {
  const parts = Object.entries(phase.cpuSeconds).map(
    ([name, seconds]) => `${name} ${seconds === undefined ? 'n/a' : `${seconds.toFixed(1)} s`}`,
  );
  const total = Object.values(phase.cpuSeconds).reduce<number>((sum, seconds) => sum + (seconds ?? 0), 0);
  return (
    `CPU seconds over the ${phase.seconds.toFixed(1)} s of the phase: ${parts.join(', ')}; ` +
    `${total.toFixed(1)} s in all = ${(total / Math.max(phase.seconds, Number.EPSILON)).toFixed(2)} cores busy`
  );
}

/** Processes that are not the pipeline: the benchmark itself and Postgres's work for other databases. */
const NOT_PIPELINE = new Set(['benchmark', 'postgres (rest of the server)']);

/** CPU seconds per article of the pipeline's own processes (services, their Postgres backends, broker). */
export function pipelineCpuPerArticle(phase: PhaseReport): number | undefined {
  const entries = Object.entries(phase.cpuSeconds).filter(([name]) => !NOT_PIPELINE.has(name));
  if (entries.some(([, seconds]) => seconds === undefined)) return undefined;
  const total = entries.reduce((sum, [, seconds]) => sum + (seconds ?? 0), 0);
  return total / Math.max(1, phase.articles.text + phase.articles.ndjson);
}

/**
 * What the phase cost in CPU, and the rate that would give with every core to the pipeline: on a busy
 * machine the wall-clock rate mostly says how much CPU the pipeline got, this says what it needs.
 */
export function pipelineCpuLine(phase: PhaseReport, cores: number): string {
  const perArticle = pipelineCpuPerArticle(phase);
  if (perArticle === undefined) return 'Pipeline CPU per article: n/a';
  return (
    `Pipeline CPU per article (services, their Postgres backends, the broker): ${(perArticle * 1000).toFixed(1)} ms, ` +
    `so at most ${int(cores / perArticle)} articles/s with all ${cores} cores to the pipeline`
  );
}

export function postgresLine(phase: PhaseReport): string {
  const parts = Object.entries(phase.postgresByService).map(
    ([name, seconds]) => `${name} ${seconds === undefined ? 'n/a' : `${seconds.toFixed(1)} s`}`,
  );
  const articles = phase.articles.text + phase.articles.ndjson;
  const total = Object.values(phase.postgresByService).reduce<number>(
    (sum, seconds) => sum + (seconds ?? 0),
    0,
  );
  return (
    `Postgres CPU seconds by the service whose connections they served: ${parts.join(', ')} ` +
    `(${((total * 1000) / Math.max(1, articles)).toFixed(2)} ms per article)`
  );
}

export function perSecond(
  cpuSeconds: Record<string, number | undefined>,
  seconds: number,
): Record<string, number | undefined> {
  return Object.fromEntries(
    Object.entries(cpuSeconds).map(([name, value]) => [
      name,
      value === undefined ? undefined : value / seconds,
    ]),
  );
}

export function idleLine(idleCpu: Record<string, number | undefined>, seconds: number): string {
  const total = Object.values(idleCpu).reduce<number>((sum, value) => sum + (value ?? 0), 0);
  const parts = Object.entries(idleCpu)
    .filter(([, value]) => value !== undefined && value >= 0.005)
    .map(([name, value]) => `${name} ${(value ?? 0).toFixed(2)}`);
  return `Idle for ${seconds} s before the phases: ${total.toFixed(2)} cores busy (${parts.join(', ')})`;
}

/** The warm-up in one line: it is not measured, only waited for (and a stall in it is reported). */
export function warmupLine(phase: PhaseReport): string {
  const total = phase.articles.text + phase.articles.ndjson;
  const { stored, notified } = phase.stages;
  return (
    `Warm-up (not measured): ${int(total)} articles at ${int(phase.offeredRate ?? 0)}/s, ` +
    `${int(stored.reached)} stored and ${int(notified.reached)} webhooks within ${phase.seconds.toFixed(1)} s`
  );
}

export function lagLine(phase: PhaseReport): string {
  const entries = Object.entries(phase.peakLag);
  if (entries.length === 0) return 'Peak consumer lag: n/a';
  return `Peak consumer lag (messages): ${entries.map(([key, value]) => `${key} ${int(value)}`).join(', ')}`;
}

export function rssLine(report: E2eReport): string {
  return `Peak RSS: ${Object.entries(report.peakRss)
    .map(([name, bytes]) => `${name} ${bytes === undefined ? 'n/a' : `${Math.round(bytes / 1e6)} MB`}`)
    .join(', ')}`;
}

export function enrichAloneLine(report: E2eReport): string | undefined {
  const alone = report.enrichmentAlone;
  if (!alone) return undefined;
  const share =
    report.shareOfEnrichmentAlone === undefined
      ? ''
      : `; the pipeline's full-speed rate is ${percent(report.shareOfEnrichmentAlone)} of it`;
  return (
    `Enrichment alone (in process, one thread, the same ${int(alone.articles)} articles): ` +
    `${int(alone.articlesPerSecond)} articles/s, ${int(alone.articlesPerCpuSecond)} per CPU-second${share}`
  );
}

export function percent(share: number): string {
  return `${(share * 100).toFixed(0)}%`;
}
