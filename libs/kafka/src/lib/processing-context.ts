import { type KafkaMessage } from 'kafkajs';

import { type ConsumerObserver } from './consumed-event';
import { sendToDeadLetterTopic } from './dead-letter';
import { type ClassifiedError } from './errors';
import { messageLogFields } from './log-fields';
import { type RuntimeLogger } from './logger';
import { type EventPublisher } from './publisher';
import { type RetryPolicy } from './retry-policy';

/** What processing a message or a chunk needs from the consumer that runs it. */
export interface ProcessingContext {
  stage: string;
  groupId: string;
  publisher: EventPublisher;
  logger: RuntimeLogger;
  retryPolicy: RetryPolicy;
  observer?: ConsumerObserver;
}

export interface FailedMessage {
  /** The topic the message was read from. */
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: ClassifiedError;
  attempts: number;
  firstFailureAt: Date;
}

/** Parks a message that failed for good on the dead-letter topic, with this consumer's context. */
export async function deadLetter(context: ProcessingContext, failed: FailedMessage): Promise<void> {
  context.logger.error(
    {
      ...messageLogFields(failed.message),
      topic: failed.topic,
      partition: failed.partition,
      offset: failed.message.offset,
      attempt: failed.attempts,
      error: failed.error,
    },
    'message failed for good, sending it to the dead-letter topic',
  );
  await sendToDeadLetterTopic(context.publisher, {
    stage: context.stage,
    consumerGroup: context.groupId,
    topic: failed.topic,
    partition: failed.partition,
    message: failed.message,
    error: failed.error,
    attempts: failed.attempts,
    firstFailureAt: failed.firstFailureAt,
    lastFailureAt: new Date(),
  });
}

/** Logs a failure about to be retried and counts it. */
export function reportRetry(
  context: ProcessingContext,
  failure: { topic: string; partition: number; offsets: string; attempt: number; error: ClassifiedError },
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
