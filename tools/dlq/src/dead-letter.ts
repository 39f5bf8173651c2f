import { type IHeaders, type KafkaMessage } from 'kafkajs';

import { CloudEventHeader, DeadLetterHeader, headerString } from '@newsflow/contracts';

import { deadLetterId } from './dead-letter-id';

/** Why and where a message failed, from the `dlq_*` headers; absent when the producer left one out. */
export interface FailureContext {
  stage?: string;
  consumerGroup?: string;
  originalTopic?: string;
  originalPartition?: number;
  originalOffset?: string;
  errorCode?: string;
  errorMessage?: string;
  attempts?: number;
  firstFailureAt?: string;
  lastFailureAt?: string;
}

export interface DeadLetter {
  /** `<partition>-<offset>` on the dead-letter topic. */
  id: string;
  partition: number;
  offset: string;
  /** The dead-letter record's timestamp: when it was dead-lettered. */
  deadLetteredAt: Date;
  key: Buffer | null;
  value: Buffer | null;
  /** The original message's headers: everything but the `dlq_*` ones, in their original order. */
  originalHeaders: IHeaders;
  failure: FailureContext;
}

const DLQ_HEADER_PREFIX = 'dlq_';

export function isDeadLetterHeader(name: string): boolean {
  return name.startsWith(DLQ_HEADER_PREFIX);
}

function optionalInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : undefined;
}

export function failureContext(headers: IHeaders | undefined): FailureContext {
  const read = (name: string) => headerString(headers, name);
  return {
    stage: read(DeadLetterHeader.Stage),
    consumerGroup: read(DeadLetterHeader.ConsumerGroup),
    originalTopic: read(DeadLetterHeader.OriginalTopic),
    originalPartition: optionalInteger(read(DeadLetterHeader.OriginalPartition)),
    originalOffset: read(DeadLetterHeader.OriginalOffset),
    errorCode: read(DeadLetterHeader.ErrorCode),
    errorMessage: read(DeadLetterHeader.ErrorMessage),
    attempts: optionalInteger(read(DeadLetterHeader.Attempts)),
    firstFailureAt: read(DeadLetterHeader.FirstFailureAt),
    lastFailureAt: read(DeadLetterHeader.LastFailureAt),
  };
}

export function decodeDeadLetter(partition: number, message: KafkaMessage): DeadLetter {
  const headers = message.headers ?? {};
  const originalHeaders: IHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !isDeadLetterHeader(name)) originalHeaders[name] = value;
  }
  return {
    id: deadLetterId({ partition, offset: message.offset }),
    partition,
    offset: message.offset,
    deadLetteredAt: new Date(Number(message.timestamp)),
    key: message.key,
    value: message.value,
    originalHeaders,
    failure: failureContext(headers),
  };
}

/** The original event's CloudEvents id, when it had one. */
export function originalEventId(deadLetter: Pick<DeadLetter, 'originalHeaders'>): string | undefined {
  return headerString(deadLetter.originalHeaders, CloudEventHeader.Id);
}
