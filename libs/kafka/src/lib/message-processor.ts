import { type KafkaMessage } from 'kafkajs';

import { type Topic } from '@newsflow/contracts';

import { type EventDispatcher } from './consumed-event';
import { type ClassifiedError, PermanentError } from './errors';
import { loggerWithFields, messageLogFields } from './log-fields';
import { decodeMessage } from './message-decoder';
import { type PartitionControl, withPacemaker } from './partition-control';
import { type ProcessingContext, deadLetter, reportRetry } from './processing-context';
import { runWithRetries } from './retry-loop';

export interface MessageInput {
  /** The topic the message was read from. */
  topic: string;
  /** The contract it is validated against; undefined when this consumer has no handler for the topic. */
  contractTopic: Topic | undefined;
  partition: number;
  message: KafkaMessage;
  control: PartitionControl;
  dispatch: EventDispatcher;
}

/** Done (handled, or dead-lettered with the error), or interrupted by a shutdown and to be left uncommitted. */
export type MessageResult = { deadLettered?: ClassifiedError } | 'interrupted';

/**
 * One message on its own: decode and validate, dispatch with retries, dead-letter what fails for good.
 * The caller commits the offset once this resolves with anything but 'interrupted'.
 */
export async function processMessage(
  consumerContext: ProcessingContext,
  input: MessageInput,
): Promise<MessageResult> {
  const { topic, contractTopic, partition, message, control } = input;
  // Every line logged about this message names its article and trace.
  const context: ProcessingContext = {
    ...consumerContext,
    logger: loggerWithFields(consumerContext.logger, messageLogFields(message)),
  };
  const outcome = await runWithRetries({
    policy: context.retryPolicy,
    control,
    work: async (attempt) => {
      if (contractTopic === undefined)
        throw new PermanentError('NO_HANDLER', `no handler for topic ${topic}`);
      const event = decodeMessage({
        contractTopic,
        partition,
        message,
        attempt,
        heartbeat: control.heartbeat,
      });
      await withPacemaker(control, context.logger, () => input.dispatch(event));
    },
    onRetry: (error, attempt) =>
      reportRetry(
        context,
        { topic, partition, offsets: message.offset, attempt, error },
        'message failed, will retry',
      ),
  });
  switch (outcome.status) {
    case 'succeeded':
      return {};
    case 'interrupted':
      return 'interrupted';
    case 'failed':
      await deadLetter(context, {
        topic,
        partition,
        message,
        error: outcome.error,
        attempts: outcome.attempts,
        firstFailureAt: outcome.firstFailureAt,
      });
      return { deadLettered: outcome.error };
  }
}
