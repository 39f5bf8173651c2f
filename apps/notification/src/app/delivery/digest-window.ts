/**
 * Digest windows are aligned to the Unix epoch, in UTC: with N minutes, the windows are
 * [k·N, (k+1)·N) minutes after 1970-01-01T00:00Z. So 60-minute windows run from hour to hour, 15-minute
 * ones from :00, :15, :30 and :45, 1440-minute ones from midnight UTC to midnight UTC. A match belongs
 * to the window containing the moment it was queued; the window's digest is due at its end.
 *
 * Aligned windows need no per-subscription state, and every instance computes the same ones.
 */
export function digestWindowEnd(at: Date, minutes: number): Date {
  const size = minutes * 60_000;
  return new Date((Math.floor(at.getTime() / size) + 1) * size);
}

/** The same as {@link digestWindowEnd}, as a SQL expression over a timestamptz and an integer. */
export const digestWindowEndSql = (at: string, minutes: string): string =>
  `to_timestamp((floor(extract(epoch FROM ${at}) / (${minutes} * 60)) + 1) * ${minutes} * 60)`;
