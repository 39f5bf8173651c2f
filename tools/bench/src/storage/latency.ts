/** Latency samples and their summaries: nearest-rank percentiles, overall and per query kind. */

/**
 * The nearest-rank percentile of ascending `sorted` values: the smallest value with at least `p`% of
 * the samples at or below it (so p95 of 20 samples is the 19th). 0 for no samples.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarizeLatencies(millis: readonly number[]): LatencySummary {
  const sorted = [...millis].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return {
    count: sorted.length,
    meanMs: sorted.length === 0 ? 0 : total / sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
  };
}

/** Summaries per group, in the order the groups are listed (groups without samples are left out). */
export function summarizeBy<K extends string>(
  samples: readonly { key: K; ms: number }[],
  keys: readonly K[],
): { key: K; summary: LatencySummary }[] {
  return keys
    .map((key) => ({
      key,
      summary: summarizeLatencies(samples.filter((sample) => sample.key === key).map((sample) => sample.ms)),
    }))
    .filter(({ summary }) => summary.count > 0);
}
