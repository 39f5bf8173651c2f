import { type KafkaMessage } from 'kafkajs';

import { type Topic } from '@newsflow/contracts';

import { type BatchDispatcher, type ConsumedEvent } from './consumed-event';
import { type ClassifiedError, classifyError } from './errors';
import { loggerWithFields, messageLogFields } from './log-fields';
import { decodeMessage } from './message-decoder';
import { type PartitionControl, withPacemaker } from './partition-control';
import {
  type FailedMessage,
  type ProcessingContext,
  reportRetry,
  scheduleRetries,
  settleFailure,
} from './processing-context';
import { runWithRetries } from './retry-loop';
import { firstDelivery } from './retry-topics';

export interface ChunkInput {
  /** The topic the messages were read from. */
  topic: string;
  /** The contract they are validated against. */
  contractTopic: Topic;
  partition: number;
  /** Consecutive messages of one partition, in offset order. */
  messages: readonly KafkaMessage[];
  control: PartitionControl;
  dispatch: BatchDispatcher;
}

export interface ChunkResult {
  /** Messages in the chunk, valid or not. */
  size: number;
  /** Messages the handler completed (alone or in the batch). */
  handled: number;
  /** One entry per message that went to the dead-letter topic, with its error. */
  deadLettered: ClassifiedError[];
  /** One entry per message that went to the first retry topic, with its error. */
  retryScheduled: ClassifiedError[];
  fellBackToSingle: boolean;
}

interface ValidMessage {
  message: KafkaMessage;
  event: ConsumedEvent;
}

/**
 * One chunk of a fetched partition batch in batch mode. Messages that fail validation are set aside
 * for the dead-letter topic; the valid ones go to the batch handler in one call, retried as a whole in
 * place on transient errors. When those retries are used up and the group has retry topics, the whole
 * chunk goes to the first one: the partition flows on, and retry topics are read one message at a time,
 * which sets a bad input apart from the rest. When the batch fails permanently (or transiently without
 * retry topics), the chunk is handled again one message per call, so one poison message ends on the
 * dead-letter topic with its own error and the others are stored. Everything is done, on a retry topic
 * or dead-lettered when this resolves (and the caller commits past the chunk), unless it resolves
 * 'interrupted': then nothing may be committed.
 */
export async function processChunk(
  context: ProcessingContext,
  input: ChunkInput,
): Promise<ChunkResult | 'interrupted'> {
  const { topic, partition, messages } = input;
  const valid: ValidMessage[] = [];
  const invalid: { message: KafkaMessage; error: ClassifiedError }[] = [];
  for (const message of messages) {
    try {
      const event = decodeMessage({
        contractTopic: input.contractTopic,
        partition,
        message,
        attempt: 1,
        heartbeat: input.control.heartbeat,
      });
      valid.push({ message, event });
    } catch (error) {
      invalid.push({ message, error: classifyError(error) });
    }
  }

  const result: ChunkResult = {
    size: messages.length,
    handled: 0,
    deadLettered: [],
    retryScheduled: [],
    fellBackToSingle: false,
  };
  if (valid.length > 0) {
    const outcome = await handleAsBatch(context, input, valid);
    if (outcome === 'interrupted') return 'interrupted';
    result.handled = outcome.handled;
    result.deadLettered.push(...outcome.deadLettered);
    result.retryScheduled.push(...outcome.retryScheduled);
    result.fellBackToSingle = outcome.fellBackToSingle;
  }
  // After the handler: a shutdown during its retries then sends no dead letters twice.
  for (const { message, error } of invalid) {
    await settleFailure(context, {
      message,
      history: firstDelivery(topic, partition, message),
      error,
      attempts: 1,
      firstFailureAt: new Date(),
    });
    result.deadLettered.push(error);
  }
  return result;
}

type BatchOutcome = Omit<ChunkResult, 'size'>;

/** Settles one message's failure and records where it went. */
async function settleInto(
  result: BatchOutcome,
  context: ProcessingContext,
  failed: FailedMessage,
): Promise<void> {
  const settlement = await settleFailure(context, failed);
  (settlement === 'dead_lettered' ? result.deadLettered : result.retryScheduled).push(failed.error);
}

async function handleAsBatch(
  context: ProcessingContext,
  input: ChunkInput,
  valid: readonly ValidMessage[],
): Promise<BatchOutcome | 'interrupted'> {
  const { topic, partition } = input;
  const offsets = `${valid[0]?.event.offset}..${valid[valid.length - 1]?.event.offset}`;
  const whole = await runWithRetries({
    policy: context.retryPolicy,
    control: input.control,
    work: (attempt) => dispatchBatch(context, input, valid, attempt),
    onRetry: (error, attempt) =>
      reportRetry(
        context,
        { topic, partition, offsets, attempt, error },
        `batch of ${valid.length} messages failed, will retry`,
      ),
  });
  if (whole.status === 'interrupted') return 'interrupted';
  if (whole.status === 'succeeded')
    return { handled: valid.length, deadLettered: [], retryScheduled: [], fellBackToSingle: false };

  const failedAsBatch = (one: ValidMessage): FailedMessage => ({
    message: one.message,
    history: firstDelivery(topic, partition, one.message),
    error: whole.error,
    attempts: whole.attempts,
    firstFailureAt: whole.firstFailureAt,
  });
  const firstTier = context.retryTiers[0];
  if (whole.error.retryable && firstTier) {
    // Still failing after the retries in place: most likely the database or the broker, which handling
    // the messages one by one now would only hit again, holding the partition. The retry topic hands
    // them back later, one at a time.
    await scheduleRetries(context, firstTier, valid.map(failedAsBatch));
    return {
      handled: 0,
      deadLettered: [],
      retryScheduled: valid.map(() => whole.error),
      fellBackToSingle: false,
    };
  }
  const [only] = valid;
  if (valid.length === 1 && only) {
    // A batch of one was already handled one message at a time: nothing to split.
    const result: BatchOutcome = {
      handled: 0,
      deadLettered: [],
      retryScheduled: [],
      fellBackToSingle: false,
    };
    await settleInto(result, context, failedAsBatch(only));
    return result;
  }

  context.logger.warn(
    { topic, partition, offsets, attempt: whole.attempts, error: whole.error },
    `batch of ${valid.length} messages failed for good, handling them one at a time`,
  );
  const result: BatchOutcome = { handled: 0, deadLettered: [], retryScheduled: [], fellBackToSingle: true };
  for (const one of valid) {
    if (input.control.shouldStop()) return 'interrupted';
    const alone: ProcessingContext = {
      ...context,
      logger: loggerWithFields(context.logger, messageLogFields(one.message)),
    };
    const single = await runWithRetries({
      policy: context.retryPolicy,
      control: input.control,
      work: (attempt) => dispatchBatch(alone, input, [one], whole.attempts + attempt),
      onRetry: (error, attempt) =>
        reportRetry(
          alone,
          { topic, partition, offsets: one.event.offset, attempt: whole.attempts + attempt, error },
          'message failed on its own, will retry',
        ),
    });
    if (single.status === 'interrupted') return 'interrupted';
    if (single.status === 'succeeded') {
      result.handled += 1;
      continue;
    }
    await settleInto(result, alone, {
      message: one.message,
      history: firstDelivery(topic, partition, one.message),
      error: single.error,
      attempts: whole.attempts + single.attempts,
      firstFailureAt: whole.firstFailureAt,
    });
  }
  return result;
}

function dispatchBatch(
  context: ProcessingContext,
  input: ChunkInput,
  valid: readonly ValidMessage[],
  attempt: number,
): Promise<void> {
  const { control } = input;
  return withPacemaker(control, context.logger, () =>
    input.dispatch({
      topic: input.contractTopic,
      partition: input.partition,
      events: valid.map(({ event }) => ({ ...event, attempt })),
      attempt,
      heartbeat: control.heartbeat,
    }),
  );
}
