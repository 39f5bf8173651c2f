import { type EntityManager } from 'typeorm';

export interface RateLimitCandidate {
  id: string;
  subscriptionId: string;
  /** rate_limit_per_minute of the subscription; null is unlimited. */
  rateLimit: number | null;
}

/**
 * First key of the two-key advisory locks that serialise claims per subscription. Two-key advisory
 * locks never collide with the one-key (bigint) lock that guards migrations.
 */
const RATE_LIMIT_LOCK_SPACE = 0x6e66726c; // "nfrl"

/** The second lock key: the first 32 bits of the subscription's uuid, as a signed int4. */
const lockKey = (subscriptionId: string): number =>
  Number.parseInt(subscriptionId.replace(/-/g, '').slice(0, 8), 16) | 0;

/**
 * A sliding-window limit, shared by all workers of all instances through Postgres: a subscription
 * with rate_limit_per_minute = N gets at most N attempts in any window of `windowSeconds`, counted
 * from the attempt log. Claims of the same subscription take turns (an advisory lock held until
 * commit), so each one counts the attempts the previous one logged. Candidates over the limit are not
 * dropped: their next attempt moves to when the oldest attempt in the window leaves it, which also
 * keeps them from crowding other subscriptions out of the next claims.
 *
 * Runs inside the claim's transaction; returns the ids that may be attempted now.
 */
export async function reserveRateLimitedAttempts(
  manager: EntityManager,
  candidates: readonly RateLimitCandidate[],
  windowSeconds: number,
): Promise<string[]> {
  const limits = new Map<string, number>();
  for (const candidate of candidates) {
    if (candidate.rateLimit !== null) limits.set(candidate.subscriptionId, candidate.rateLimit);
  }
  if (limits.size === 0) return candidates.map((candidate) => candidate.id);

  // Always in the same order, so two claims never wait for each other in a cycle.
  const keys = [...new Set([...limits.keys()].map(lockKey))].sort((a, b) => a - b);
  await manager.query(`SELECT pg_advisory_xact_lock($1, key) FROM unnest($2::int4[]) AS key`, [
    RATE_LIMIT_LOCK_SPACE,
    keys,
  ]);
  const usage: { subscriptionId: string; used: number }[] = await manager.query(
    `SELECT subscription_id AS "subscriptionId", count(*)::int AS used
     FROM notification.delivery_attempts
     WHERE subscription_id = ANY($1::uuid[])
       AND attempted_at > clock_timestamp() - make_interval(secs => $2)
     GROUP BY subscription_id`,
    [[...limits.keys()], windowSeconds],
  );
  const remaining = new Map(limits);
  for (const { subscriptionId, used } of usage) {
    remaining.set(subscriptionId, (remaining.get(subscriptionId) ?? 0) - used);
  }

  const allowed: string[] = [];
  const deferred: string[] = [];
  for (const candidate of candidates) {
    const left = remaining.get(candidate.subscriptionId);
    if (left === undefined) {
      allowed.push(candidate.id);
    } else if (left > 0) {
      remaining.set(candidate.subscriptionId, left - 1);
      allowed.push(candidate.id);
    } else {
      deferred.push(candidate.id);
    }
  }
  if (deferred.length > 0) {
    // Until the oldest attempt in the window (or, with none yet, the first of this claim) leaves it.
    await manager.query(
      `UPDATE notification.deliveries d
       SET next_attempt_at = coalesce(
             (SELECT min(a.attempted_at) FROM notification.delivery_attempts a
              WHERE a.subscription_id = d.subscription_id
                AND a.attempted_at > clock_timestamp() - make_interval(secs => $2)),
             clock_timestamp()) + make_interval(secs => $2)
       WHERE d.id = ANY($1::uuid[])`,
      [deferred, windowSeconds],
    );
  }
  return allowed;
}
