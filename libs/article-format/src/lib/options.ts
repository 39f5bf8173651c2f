/** Shared by every entry point, so "5 MiB" and "now" mean the same thing for a text file and a JSON record. */
export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

/** A single NDJSON line may not be larger than this by default: one article never needs more. */
export const DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;

/**
 * A NaN or negative limit is a caller bug; falling back beats comparing against NaN (which would mean no
 * limit at all).
 */
export function validByteLimit(limit: number | undefined, fallback: number): number {
  return typeof limit === 'number' && limit >= 0 ? limit : fallback;
}

/** The reference point for the "not in the future" rule. */
export function validNow(now: Date | undefined): Date {
  // The tag check (not instanceof) also accepts a Date created in another realm, e.g. a vm context.
  const isDate = Object.prototype.toString.call(now) === '[object Date]';
  return now !== undefined && isDate && !Number.isNaN(now.getTime()) ? now : new Date();
}
