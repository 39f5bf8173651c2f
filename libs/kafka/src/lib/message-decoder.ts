import { type KafkaMessage } from 'kafkajs';

import { type Topic, contractOf, fromHeaders } from '@newsflow/contracts';

import { type ConsumedEvent } from './consumed-event';
import { PermanentError } from './errors';

export interface DecodeInput {
  /** The contract the message is validated against (the topic it was read from may be named otherwise). */
  contractTopic: Topic;
  partition: number;
  message: KafkaMessage;
  attempt: number;
  heartbeat(): Promise<void>;
}

/**
 * Turns a Kafka message into a typed event, or throws a PermanentError saying why it cannot be one
 * (MALFORMED_JSON, VALIDATION_FAILED): retrying would give the same answer.
 */
export function decodeMessage({
  contractTopic,
  partition,
  message,
  attempt,
  heartbeat,
}: DecodeInput): ConsumedEvent {
  const contract = contractOf(contractTopic);
  let json: unknown;
  try {
    json = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch (error) {
    throw new PermanentError('MALFORMED_JSON', `message value is not JSON: ${(error as Error).message}`);
  }
  const result = contract.schema.safeParse(json);
  if (!result.success) {
    throw new PermanentError(
      'VALIDATION_FAILED',
      `payload does not match ${contractTopic}: ${result.error.issues
        .slice(0, 5)
        .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
        .join('; ')}`,
    );
  }
  return {
    topic: contractTopic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? null,
    payload: result.data,
    metadata: fromHeaders(message.headers),
    attempt,
    heartbeat,
  } as ConsumedEvent;
}
