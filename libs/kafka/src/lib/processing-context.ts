import { type KafkaMessage } from 'kafkajs';

import { type ConsumerObserver } from './consumed-event';
import { sendToDeadLetterTopic } from './dead-letter';
import { type ClassifiedError } from './errors';
import { messageLogFields } from './log-fields';
import { type RuntimeLogger } from './logger';
import { type EventPublisher, type RawMessage } from './publisher';
import { type RetryPolicy } from './retry-policy';
import { type DeliveryHistory, type RetryTier, originalMessage, retryHeaders } from './retry-topics';

/** What processing a message or a chunk needs from the consumer that runs it. */
export interface ProcessingContext {
  stage: string;
  groupId: string;
  publisher: EventPublisher;
  logger: RuntimeLogger;
  retryPolicy: RetryPolicy;
  /** The group's retry topics, tier 1 first; empty when failures are retried in place only. */
  retryTiers: readonly RetryTier[];
  /** Where dead letters go (news.dlq.v1 unless renamed). */
  deadLetterTopic: string;
  observer?: ConsumerObserver;
}

export interface FailedMessage {
  /** The message as read (from its original topic or a retry topic). */
  message: KafkaMessage;
  history: DeliveryHistory;
  error: ClassifiedError;
  /** Attempts over every delivery, this one included. */
  attempts: number;
  firstFailureAt: Date;
}

/** How a failed message was settled; either way its offset may now be committed. */
export type Settlement = 'dead_lettered' | 'retry_scheduled';

/**
 * Settles a message that failed for this delivery: a transient failure goes to the next retry tier
 * (its partition then flows on); a permanent one, or one past the last tier, to the dead-letter topic.
 * Resolves once Kafka acknowledged the message where it went, so the caller may commit past it.
 */
export async function settleFailure(context: ProcessingContext, failed: FailedMessage): Promise<Settlement> {
  const next = failed.error.retryable ? context.retryTiers[failed.history.tier] : undefined;
  if (next === undefined) {
    await deadLetter(context, failed);
    return 'dead_lettered';
  }
  await scheduleRetries(context, next, [failed]);
  return 'retry_scheduled';
}

/** Sends failed messages to retry tier `tier` in one request, with their history; each one counts as a retry. */
export async function scheduleRetries(
  context: ProcessingContext,
  tier: RetryTier,
  failed: readonly FailedMessage[],
): Promise<void> {
  const lastFailureAt = new Date();
  const records: RawMessage[] = failed.map((one) => ({
    key: one.message.key,
    value: one.message.value,
    headers: retryHeaders({
      groupId: context.groupId,
      message: one.message,
      history: one.history,
      tier,
      attempts: one.attempts,
      error: one.error,
      firstFailureAt: one.firstFailureAt,
      lastFailureAt,
    }),
  }));
  await context.publisher.publishRawMany(tier.topic, records);
  for (const one of failed) {
    reportRetry(
      context,
      {
        ...messageLogFields(one.message),
        topic: one.history.origin.topic,
        partition: one.history.origin.partition,
        offsets: one.history.origin.offset,
        attempt: one.attempts,
        error: one.error,
        retryTopic: tier.topic,
        delayMs: tier.delayMs,
      },
      `message failed, retrying it from retry tier ${tier.tier} in ${tier.delayMs} ms`,
    );
  }
}

/** Parks a message that failed for good on the dead-letter topic, with this consumer's context. */
export async function deadLetter(context: ProcessingContext, failed: FailedMessage): Promise<void> {
  const { origin } = failed.history;
  context.logger.error(
    {
      ...messageLogFields(failed.message),
      topic: origin.topic,
      partition: origin.partition,
      offset: origin.offset,
      attempt: failed.attempts,
      error: failed.error,
    },
    'message failed for good, sending it to the dead-letter topic',
  );
  await sendToDeadLetterTopic(context.publisher, {
    stage: context.stage,
    consumerGroup: context.groupId,
    topic: origin.topic,
    partition: origin.partition,
    // The original record: its own offset and headers, not those of the retry topic it was read from.
    message: originalMessage(failed.message, origin),
    error: failed.error,
    attempts: failed.attempts,
    firstFailureAt: failed.firstFailureAt,
    lastFailureAt: new Date(),
    deadLetterTopic: context.deadLetterTopic,
  });
}

/** Logs a failure about to be retried (in place or from a retry topic) and counts it. */
export function reportRetry(
  context: ProcessingContext,
  failure: {
    topic: string;
    partition: number;
    offsets: string;
    attempt: number;
    error: ClassifiedError;
  } & Record<string, unknown>,
  message: string,
): void {
  context.logger.warn(failure, message);
  context.observer?.onOutcome({
    topic: failure.topic,
    outcome: 'retried',
    code: failure.error.code,
    durationSeconds: 0,
  });
}
