/**
 * Seconds until the next attempt after `failedAttempts` failures, or null when the schedule is used
 * up. Up to 20% jitter spreads retries of deliveries that failed together.
 */
export function nextRetryDelaySeconds(
  schedule: readonly number[],
  failedAttempts: number,
  random: () => number = Math.random,
): number | null {
  const base = schedule[failedAttempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + random() * 0.4) * 1000) / 1000;
}
