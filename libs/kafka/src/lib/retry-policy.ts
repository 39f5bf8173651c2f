export interface RetryPolicy {
  /**
   * Attempts in place per delivery: on the first read from the original topic and again on each read
   * from a retry topic. Cheap blips (a dropped connection, a deadlock) are over within them.
   */
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /**
   * Delays of the retry topics, in order (KAFKA_RETRY_DELAYS_MS). A message still failing transiently
   * after its attempts in place goes to the next retry topic, to be read again once the delay has
   * passed, while the partition it came from flows on; after the last one it is dead-lettered. Empty
   * or absent: retries in place only, then the dead-letter topic.
   */
  retryTopicDelaysMs?: readonly number[];
  /**
   * Whether the runner creates its retry topics when they are missing (KAFKA_CREATE_TOPICS); when
   * false they must exist (an operator manages topics). Default true.
   */
  createRetryTopics?: boolean;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  initialBackoffMs: 500,
  maxBackoffMs: 15_000,
};

/** The most retry topics a consumer group may have: each is a topic with as many partitions as its sources. */
export const MAX_RETRY_TIERS = 10;

/** Checks a policy once, at construction: a bad setting should stop the service, not lose messages. */
export function validateRetryPolicy(policy: RetryPolicy): void {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new Error(`retry policy: maxAttempts must be a positive integer, got ${policy.maxAttempts}`);
  }
  const delays = policy.retryTopicDelaysMs ?? [];
  if (delays.length > MAX_RETRY_TIERS) {
    throw new Error(`retry policy: at most ${MAX_RETRY_TIERS} retry topic delays, got ${delays.length}`);
  }
  for (const delay of delays) {
    if (!Number.isInteger(delay) || delay < 1) {
      throw new Error(
        `retry policy: retry topic delays must be positive integers (milliseconds), got ${delays.join(',')}`,
      );
    }
  }
}

/**
 * Exponential backoff with full jitter, so consumers that failed together (a database restart) do not
 * retry together.
 */
export function backoffMs(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (failedAttempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
