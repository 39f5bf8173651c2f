/**
 * Where a delivery stands:
 * - `pending`: due now or at `next_attempt_at` (a retry, or the lease of an attempt in flight);
 * - `delivered`: a 2xx answer was received;
 * - `failed`: the retry schedule is used up, or a manual redelivery failed; redeliver by hand;
 * - `held`: its subscription was disabled for failing too long; sent once the owner resumes it;
 * - `collected`: a match of a digest subscription, waiting for its window to close (`next_attempt_at`);
 * - `digested`: such a match, sent inside the digest delivery `digest_id`.
 */
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'held', 'collected', 'digested'] as const;

export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** `article`: one matched article; `digest`: the matches of one digest window, in one webhook. */
export type DeliveryKind = 'article' | 'digest';

/** Receivers' answers and errors are kept up to this many characters in the log. */
export const MAX_LOGGED_TEXT = 1_000;
