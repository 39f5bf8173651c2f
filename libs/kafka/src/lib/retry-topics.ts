import { type IHeaders, type KafkaMessage } from 'kafkajs';

import { headerString } from '@newsflow/contracts';

import { type ClassifiedError, PermanentError } from './errors';

/**
 * Retry topics: a consumer group's own topics (not part of the public contract) where a message that
 * keeps failing transiently waits out a delay while the partition it came from flows on. Tier n of
 * group g is `news.retry.<g>.<n>`: named by position, not by delay, so changing the delays leaves no
 * message behind on a topic nobody reads any more.
 */
export function retryTopicName(groupId: string, tier: number): string {
  const name = `news.retry.${groupId}.${tier}`;
  if (!/^[a-zA-Z0-9._-]+$/.test(name) || name.length > 249) {
    throw new Error(
      `consumer group id ${JSON.stringify(groupId)} cannot name a Kafka topic (${name}): use letters, digits, '.', '_' and '-'`,
    );
  }
  return name;
}

/** One retry topic of a consumer group: tier 1 is read first, `delayMs` after the failure that sent it there. */
export interface RetryTier {
  tier: number;
  topic: string;
  delayMs: number;
}

export function retryTiersOf(groupId: string, delaysMs: readonly number[]): RetryTier[] {
  return delaysMs.map((delayMs, index) => ({
    tier: index + 1,
    topic: retryTopicName(groupId, index + 1),
    delayMs,
  }));
}

/**
 * Headers a message carries on a retry topic, beside its original key, value and headers. The origin
 * is where it was first read, so a dead letter after the last tier (and its redrive) names the topic,
 * partition and offset an operator knows.
 */
export const RetryHeader = {
  ConsumerGroup: 'retry_consumer_group',
  OriginalTopic: 'retry_original_topic',
  OriginalPartition: 'retry_original_partition',
  OriginalOffset: 'retry_original_offset',
  /** Attempts so far, over every delivery (in place and per tier). */
  Attempts: 'retry_attempts',
  Tier: 'retry_tier',
  FirstFailureAt: 'retry_first_failure_at',
  LastFailureAt: 'retry_last_failure_at',
  /** When the message may be read again (ISO 8601): its failure time plus the tier's delay. */
  DueAt: 'retry_due_at',
  ErrorCode: 'retry_error_code',
  ErrorMessage: 'retry_error_message',
} as const;

const RETRY_HEADER_NAMES: ReadonlySet<string> = new Set(Object.values(RetryHeader));

/** A message's own headers, without those a retry topic added: what a handler, a dead letter or a redrive keeps. */
export function withoutRetryHeaders(headers: IHeaders | undefined): IHeaders {
  const kept: IHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!RETRY_HEADER_NAMES.has(name) && value !== undefined) kept[name] = value;
  }
  return kept;
}

/** Where a message was first read: what dead letters and retried events name. */
export interface MessageOrigin {
  topic: string;
  partition: number;
  offset: string;
}

/** A message's way so far: on its first read, its own position and no failures. */
export interface DeliveryHistory {
  origin: MessageOrigin;
  /** The retry tier it was read from; 0 for the original topic. */
  tier: number;
  /** Attempts made on earlier deliveries. */
  attemptsBefore: number;
  /** The first failure on an earlier delivery. */
  firstFailureAt?: Date;
}

export function firstDelivery(topic: string, partition: number, message: KafkaMessage): DeliveryHistory {
  return { origin: { topic, partition, offset: message.offset }, tier: 0, attemptsBefore: 0 };
}

/** A message read from a retry topic: its history and when it is due. */
export interface RetryRecord {
  history: DeliveryHistory;
  dueAt: Date;
}

const MAX_ERROR_MESSAGE_LENGTH = 2_000;

export interface RetryRecordInput {
  groupId: string;
  message: KafkaMessage;
  history: DeliveryHistory;
  /** The tier it goes to. */
  tier: RetryTier;
  attempts: number;
  error: ClassifiedError;
  firstFailureAt: Date;
  lastFailureAt: Date;
}

/** The headers of a message sent to a retry tier: its own headers plus where it stands. */
export function retryHeaders(input: RetryRecordInput): IHeaders {
  const { origin } = input.history;
  return {
    ...withoutRetryHeaders(input.message.headers),
    [RetryHeader.ConsumerGroup]: input.groupId,
    [RetryHeader.OriginalTopic]: origin.topic,
    [RetryHeader.OriginalPartition]: String(origin.partition),
    [RetryHeader.OriginalOffset]: origin.offset,
    [RetryHeader.Attempts]: String(input.attempts),
    [RetryHeader.Tier]: String(input.tier.tier),
    [RetryHeader.FirstFailureAt]: input.firstFailureAt.toISOString(),
    [RetryHeader.LastFailureAt]: input.lastFailureAt.toISOString(),
    [RetryHeader.DueAt]: new Date(input.lastFailureAt.getTime() + input.tier.delayMs).toISOString(),
    [RetryHeader.ErrorCode]: input.error.code,
    [RetryHeader.ErrorMessage]: input.error.message.slice(0, MAX_ERROR_MESSAGE_LENGTH),
  };
}

/**
 * Reads the retry headers of a message on tier `tier`. Throws a PermanentError (RETRY_RECORD_INVALID)
 * naming the header when one is missing or malformed: such a message cannot be routed back and goes to
 * the dead-letter topic as it is.
 */
export function parseRetryRecord(message: KafkaMessage, tier: number): RetryRecord {
  const read = (name: string): string => {
    const value = headerString(message.headers, name);
    if (value === undefined || value === '') {
      throw new PermanentError('RETRY_RECORD_INVALID', `message on retry tier ${tier} has no ${name} header`);
    }
    return value;
  };
  const integer = (name: string, min: number): number => {
    const text = read(name);
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
      throw new PermanentError(
        'RETRY_RECORD_INVALID',
        `retry header ${name} is not an integer ≥ ${min}: ${text}`,
      );
    }
    return value;
  };
  const time = (name: string): Date => {
    const text = read(name);
    const value = new Date(text);
    if (Number.isNaN(value.getTime())) {
      throw new PermanentError('RETRY_RECORD_INVALID', `retry header ${name} is not a time: ${text}`);
    }
    return value;
  };
  const offset = read(RetryHeader.OriginalOffset);
  if (!/^\d+$/.test(offset)) {
    throw new PermanentError(
      'RETRY_RECORD_INVALID',
      `retry header ${RetryHeader.OriginalOffset} is not an offset: ${offset}`,
    );
  }
  return {
    history: {
      origin: {
        topic: read(RetryHeader.OriginalTopic),
        partition: integer(RetryHeader.OriginalPartition, 0),
        offset,
      },
      tier,
      attemptsBefore: integer(RetryHeader.Attempts, 1),
      firstFailureAt: time(RetryHeader.FirstFailureAt),
    },
    dueAt: time(RetryHeader.DueAt),
  };
}

/** The message as first read: its original offset, without the headers a retry topic added. */
export function originalMessage(message: KafkaMessage, origin: MessageOrigin): KafkaMessage {
  // kafkajs's KafkaMessage is a union of two record formats; both keep their shape under this change.
  return { ...message, offset: origin.offset, headers: withoutRetryHeaders(message.headers) } as KafkaMessage;
}
