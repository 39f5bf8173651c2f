import { type IHeaders, type KafkaMessage } from 'kafkajs';

import { DeadLetterHeader, Topic } from '@newsflow/contracts';

import { type ClassifiedError } from './errors';
import { type EventPublisher } from './publisher';

export interface DeadLetterContext {
  stage: string;
  consumerGroup: string;
  topic: string;
  partition: number;
  message: KafkaMessage;
  error: ClassifiedError;
  attempts: number;
  firstFailureAt: Date;
  lastFailureAt: Date;
  /** Default `news.dlq.v1`; another name for an environment's prefix or a test's private topic. */
  deadLetterTopic?: string;
}

/** Error messages can be long (stack-like driver output); headers should stay small. */
const MAX_ERROR_MESSAGE_LENGTH = 2_000;

export function deadLetterHeaders(context: DeadLetterContext): IHeaders {
  return {
    ...context.message.headers,
    [DeadLetterHeader.Stage]: context.stage,
    [DeadLetterHeader.ConsumerGroup]: context.consumerGroup,
    [DeadLetterHeader.OriginalTopic]: context.topic,
    [DeadLetterHeader.OriginalPartition]: String(context.partition),
    [DeadLetterHeader.OriginalOffset]: context.message.offset,
    [DeadLetterHeader.ErrorCode]: context.error.code,
    [DeadLetterHeader.ErrorMessage]: context.error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
    [DeadLetterHeader.Attempts]: String(context.attempts),
    [DeadLetterHeader.FirstFailureAt]: context.firstFailureAt.toISOString(),
    [DeadLetterHeader.LastFailureAt]: context.lastFailureAt.toISOString(),
  };
}

/** Parks a message on the dead-letter topic with its original key, value and headers. */
export async function sendToDeadLetterTopic(
  publisher: EventPublisher,
  context: DeadLetterContext,
): Promise<void> {
  await publisher.publishRaw(context.deadLetterTopic ?? Topic.DeadLetterV1, {
    key: context.message.key,
    value: context.message.value,
    headers: deadLetterHeaders(context),
  });
}
