/**
 * Numbers and their presentation: per-phase rates, the aims from the issue, the console lines and the
 * Markdown table written to bench/results/. MB means 10^6 bytes throughout, for rates and memory alike.
 */
import { PHASE_TITLES, type PhaseName, type PhaseResult } from './phase-types';

export const MB = 1_000_000;

export const AIMS = {
  /** Articles per second to Kafka from one process. */
  publishArticlesPerSecond: 5_000,
  /** Peak RSS while reading and publishing a 1 GB NDJSON file. */
  bigNdjsonPeakRssBytes: 200 * MB,
  bigNdjsonBytes: 1_000 * MB,
} as const;

export interface PhaseSummary extends PhaseResult {
  articlesPerSecond: number;
  /** Articles per second of the phase process's own CPU time: less sensitive to a busy machine. */
  articlesPerCpuSecond: number;
  mbPerSecond: number;
}

export interface AimCheck {
  phase: PhaseName;
  aim: string;
  measured: string;
  pass: boolean;
  note?: string;
}

export function summarize(result: PhaseResult): PhaseSummary {
  const seconds = Math.max(result.seconds, Number.EPSILON);
  const cpuSeconds = Math.max(result.cpuSeconds, Number.EPSILON);
  return {
    ...result,
    articlesPerSecond: result.articles / seconds,
    articlesPerCpuSecond: result.articles / cpuSeconds,
    mbPerSecond: result.bytes / MB / seconds,
  };
}

/** The aims that apply to the phases that ran; `bigNdjsonBytes` is the size phase 4 actually read. */
export function checkAims(phases: readonly PhaseSummary[]): AimCheck[] {
  const checks: AimCheck[] = [];
  for (const phase of phases) {
    if (phase.phase === 'publish-text' || phase.phase === 'publish-ndjson') {
      checks.push({
        phase: phase.phase,
        aim: `≥ ${formatInt(AIMS.publishArticlesPerSecond)} articles/s to Kafka`,
        measured: `${formatInt(phase.articlesPerSecond)} articles/s`,
        pass: phase.articlesPerSecond >= AIMS.publishArticlesPerSecond,
      });
    }
    if (phase.phase === 'publish-ndjson') {
      const smaller = phase.bytes < AIMS.bigNdjsonBytes * 0.99;
      checks.push({
        phase: phase.phase,
        aim: `peak RSS < ${formatMb(AIMS.bigNdjsonPeakRssBytes)} MB for a 1 GB NDJSON file`,
        measured: `${formatMb(phase.rssPeak)} MB`,
        pass: phase.rssPeak < AIMS.bigNdjsonPeakRssBytes,
        note: smaller ? `the file was ${formatMb(phase.bytes)} MB, not 1 GB` : undefined,
      });
    }
  }
  return checks;
}

export function formatInt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

export function formatMb(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

/** One console line per phase. */
export function phaseLine(summary: PhaseSummary): string {
  const parts = [
    `${formatInt(summary.articles)} articles`,
    summary.rejected > 0 ? `${formatInt(summary.rejected)} rejected` : undefined,
    summary.published > 0
      ? `${formatInt(summary.published)} published to ${summary.topic ?? '?'}`
      : undefined,
    `${summary.seconds.toFixed(2)} s (CPU ${summary.cpuSeconds.toFixed(2)} s${schedule(summary)})`,
    `${formatInt(summary.articlesPerSecond)} articles/s (${formatInt(summary.articlesPerCpuSecond)} per CPU-second)`,
    `${summary.mbPerSecond.toFixed(1)} MB/s`,
    `peak RSS ${formatMb(summary.rssPeak)} MB (at start ${formatMb(summary.rssStart)})`,
    `peak heapUsed ${formatMb(summary.heapUsedPeak)} MB`,
    `peak external ${formatMb(summary.externalPeak)} MB`,
  ];
  return `${PHASE_TITLES[summary.phase]}\n   ${parts.filter((part) => part !== undefined).join(' | ')}`;
}

export function aimLine(check: AimCheck): string {
  const note = check.note ? ` (${check.note})` : '';
  return `${check.pass ? 'PASS' : 'FAIL'}  ${check.phase}: ${check.aim}; measured ${check.measured}${note}`;
}

/** "; waited 1.20 s for a CPU, idle 0.30 s" when the scheduler's numbers are known. */
function schedule(summary: PhaseSummary): string {
  if (summary.cpuWaitSeconds === undefined || summary.idleSeconds === undefined) return '';
  return `; waited ${summary.cpuWaitSeconds.toFixed(2)} s for a CPU, idle ${summary.idleSeconds.toFixed(2)} s`;
}

export function markdownTable(phases: readonly PhaseSummary[]): string {
  const header =
    '| Phase | Articles | Rejected | Published | Input MB | Seconds | CPU seconds | Waited for a CPU s | Idle s | Articles/s | Articles per CPU-second | MB/s | RSS at start MB | Peak RSS MB | Peak heapUsed MB | Peak external MB |';
  const rule = `|${' --- |'.repeat(16)}`;
  const rows = phases.map((p) =>
    [
      PHASE_TITLES[p.phase],
      formatInt(p.articles),
      formatInt(p.rejected),
      formatInt(p.published),
      formatMb(p.bytes),
      p.seconds.toFixed(2),
      p.cpuSeconds.toFixed(2),
      p.cpuWaitSeconds?.toFixed(2) ?? 'n/a',
      p.idleSeconds?.toFixed(2) ?? 'n/a',
      formatInt(p.articlesPerSecond),
      formatInt(p.articlesPerCpuSecond),
      p.mbPerSecond.toFixed(1),
      formatMb(p.rssStart),
      formatMb(p.rssPeak),
      formatMb(p.heapUsedPeak),
      formatMb(p.externalPeak),
    ].join(' | '),
  );
  return [header, rule, ...rows.map((row) => `| ${row} |`)].join('\n');
}

export function markdownAims(checks: readonly AimCheck[]): string {
  if (checks.length === 0) return '_No phase with an aim ran._';
  return checks.map((check) => `- ${aimLine(check).replace(/^(PASS|FAIL)/, '**$1**')}`).join('\n');
}
