import { type ClassifiedError, classifyError } from './errors';
import { type PartitionControl, waitBeforeRetry } from './partition-control';
import { type RetryPolicy } from './retry-policy';

export type RetryOutcome =
  | { status: 'succeeded'; attempts: number }
  | { status: 'failed'; error: ClassifiedError; attempts: number; firstFailureAt: Date }
  /** The consumer is stopping: leave the work uncommitted for the partition's next owner. */
  | { status: 'interrupted' };

export interface RetryLoopInput {
  /** One attempt; `attempt` counts from 1. A thrown error is classified: transient ones are retried. */
  work(attempt: number): Promise<void>;
  policy: RetryPolicy;
  control: PartitionControl;
  /** Called before each backoff, for logs and metrics. */
  onRetry(error: ClassifiedError, failedAttempt: number): void;
}

/**
 * Runs `work` until it succeeds, fails permanently, or has failed `policy.maxAttempts` times, with
 * backoff (and heartbeats) between attempts. A transient failure while stopping is not a final failure:
 * it is interrupted, so a shutdown never dead-letters a message that only met a passing outage.
 */
export async function runWithRetries({
  work,
  policy,
  control,
  onRetry,
}: RetryLoopInput): Promise<RetryOutcome> {
  let firstFailureAt: Date | undefined;
  for (let attempt = 1; ; attempt++) {
    try {
      await work(attempt);
      return { status: 'succeeded', attempts: attempt };
    } catch (error) {
      const classified = classifyError(error);
      firstFailureAt ??= new Date();
      if (classified.retryable && control.shouldStop()) return { status: 'interrupted' };
      if (!classified.retryable || attempt >= policy.maxAttempts) {
        return { status: 'failed', error: classified, attempts: attempt, firstFailureAt };
      }
      onRetry(classified, attempt);
      if ((await waitBeforeRetry(policy, attempt, control)) === 'interrupted')
        return { status: 'interrupted' };
    }
  }
}
