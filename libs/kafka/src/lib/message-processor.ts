import { type KafkaMessage } from 'kafkajs';

import { type Topic } from '@newsflow/contracts';

import { type EventDispatcher } from './consumed-event';
import { type ClassifiedError, PermanentError } from './errors';
import { loggerWithFields, messageLogFields } from './log-fields';
import { decodeMessage } from './message-decoder';
import { type PartitionControl, withPacemaker } from './partition-control';
import { type ProcessingContext, reportRetry, settleFailure } from './processing-context';
import { runWithRetries } from './retry-loop';
import { type DeliveryHistory, originalMessage } from './retry-topics';

export interface MessageInput {
  /** The contract it is validated against; undefined when this consumer has no handler for its topic. */
  contractTopic: Topic | undefined;
  /** The message as read, from its original topic or from a retry topic. */
  message: KafkaMessage;
  /** Where the message was first read, and how it fared before this delivery. */
  history: DeliveryHistory;
  control: PartitionControl;
  dispatch: EventDispatcher;
}

/**
 * Done: handled, sent to a retry topic, or dead-lettered (with the error); or interrupted by a shutdown
 * and to be left uncommitted.
 */
export type MessageResult =
  { deadLettered?: ClassifiedError; retryScheduled?: ClassifiedError } | 'interrupted';

/**
 * One message on its own: decode and validate, dispatch with retries in place, then settle what still
 * fails (next retry tier or dead-letter topic). The caller commits the offset once this resolves with
 * anything but 'interrupted'. A retried message reaches the handler as the original event: its original
 * topic, partition, offset and headers, and the attempt count over every delivery.
 */
export async function processMessage(
  consumerContext: ProcessingContext,
  input: MessageInput,
): Promise<MessageResult> {
  const { contractTopic, message, history, control } = input;
  const { origin } = history;
  // Every line logged about this message names its article and trace.
  const context: ProcessingContext = {
    ...consumerContext,
    logger: loggerWithFields(consumerContext.logger, messageLogFields(message)),
  };
  const original = originalMessage(message, origin);
  const outcome = await runWithRetries({
    policy: context.retryPolicy,
    control,
    work: async (attempt) => {
      if (contractTopic === undefined)
        throw new PermanentError('NO_HANDLER', `no handler for topic ${origin.topic}`);
      const event = decodeMessage({
        contractTopic,
        partition: origin.partition,
        message: original,
        attempt: history.attemptsBefore + attempt,
        heartbeat: control.heartbeat,
      });
      await withPacemaker(control, context.logger, () => input.dispatch(event));
    },
    onRetry: (error, attempt) =>
      reportRetry(
        context,
        {
          topic: origin.topic,
          partition: origin.partition,
          offsets: origin.offset,
          attempt: history.attemptsBefore + attempt,
          error,
        },
        'message failed, will retry',
      ),
  });
  switch (outcome.status) {
    case 'succeeded':
      return {};
    case 'interrupted':
      return 'interrupted';
    case 'failed': {
      const settlement = await settleFailure(context, {
        message,
        history,
        error: outcome.error,
        attempts: history.attemptsBefore + outcome.attempts,
        firstFailureAt: history.firstFailureAt ?? outcome.firstFailureAt,
      });
      return settlement === 'dead_lettered'
        ? { deadLettered: outcome.error }
        : { retryScheduled: outcome.error };
    }
  }
}
