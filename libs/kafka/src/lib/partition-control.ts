import { setTimeout as sleep } from 'node:timers/promises';

import { type RuntimeLogger } from './logger';
import { type RetryPolicy, backoffMs } from './retry-policy';

/** What processing one fetched partition batch may ask of the consumer it runs in. */
export interface PartitionControl {
  /** Tells the group coordinator this member is alive; kafkajs sends at most one per heartbeat interval. */
  heartbeat(): Promise<void>;
  /**
   * True once the rest of the fetched batch must be left uncommitted for the partition's next owner:
   * the consumer is stopping, or the partition's position was moved (kafkajs `isStale()`).
   */
  shouldStop(): boolean;
}

/** kafkajs only heartbeats between messages; a slow handler must keep the membership alive itself. */
export const PACEMAKER_INTERVAL_MS = 2_000;

/** How often a backoff wait looks up: it bounds how long a shutdown waits for it. (Heartbeats are throttled by kafkajs.) */
const WAIT_STEP_MS = 250;

/**
 * Heartbeat errors that mean this member must rejoin its group (kafkajs rejoins when they reach it).
 * Waiting on regardless would hold up the rebalance and keep retrying a partition that is no longer ours.
 */
const REJOIN_ERROR_TYPES = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'NOT_COORDINATOR_FOR_GROUP',
]);

export function isRejoinSignal(error: unknown): boolean {
  const type = typeof error === 'object' && error !== null ? (error as { type?: unknown }).type : undefined;
  return typeof type === 'string' && REJOIN_ERROR_TYPES.has(type);
}

/** Runs `work` while heartbeating in the background, so a long handler does not cost the membership. */
export async function withPacemaker<T>(
  control: PartitionControl,
  logger: RuntimeLogger,
  work: () => Promise<T>,
): Promise<T> {
  const timer = setInterval(() => {
    control
      .heartbeat()
      .catch((error: unknown) => logger.debug({ err: error }, 'heartbeat during a long handler failed'));
  }, PACEMAKER_INTERVAL_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/**
 * Waits out the backoff after a failed attempt, heartbeating. Resolves 'interrupted' as soon as the
 * consumer should stop; throws a rejoin signal from the coordinator so kafkajs can rejoin the group.
 */
export async function waitBeforeRetry(
  policy: RetryPolicy,
  failedAttempt: number,
  control: PartitionControl,
): Promise<'waited' | 'interrupted'> {
  const deadline = Date.now() + backoffMs(policy, failedAttempt);
  // At least one heartbeat per retry, however short the backoff: the failed attempt itself may have
  // taken most of the session timeout (kafkajs sends at most one per heartbeat interval anyway).
  for (;;) {
    if (control.shouldStop()) return 'interrupted';
    try {
      await control.heartbeat();
    } catch (error) {
      if (isRejoinSignal(error)) throw error;
      // Broker trouble: the next heartbeat (or the session timeout) settles it.
    }
    const left = deadline - Date.now();
    if (left <= 0) break;
    await sleep(Math.min(WAIT_STEP_MS, left));
  }
  return control.shouldStop() ? 'interrupted' : 'waited';
}
