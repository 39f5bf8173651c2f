import { randomUUID } from 'node:crypto';

import { type IHeaders } from 'kafkajs';

import { CloudEventHeader, childTraceParent, headerString } from '@newsflow/contracts';
import { type RawMessage } from '@newsflow/kafka';

import { type DeadLetter, originalEventId } from './dead-letter';

/** Header naming the dead letter (`<partition>-<offset>`) a redriven message came from. */
export const REDRIVEN_FROM_HEADER = 'redriven_from';

/**
 * The message a redrive publishes: the original key, value and headers, byte for byte, except that
 * the `dlq_*` headers are gone and it is a new event caused by the original one (CloudEvents: a new
 * `ce_id`, `ce_causationid` = the original `ce_id`, the same correlation id, a new span in the same
 * trace). Type, source and time stay, so consumers treat it exactly as the original.
 */
export function redriveMessage(deadLetter: DeadLetter, eventId: string = randomUUID()): RawMessage {
  const headers: IHeaders = { ...deadLetter.originalHeaders };
  const causeId = originalEventId(deadLetter);
  headers[CloudEventHeader.Id] = eventId;
  if (causeId !== undefined) headers[CloudEventHeader.CausationId] = causeId;
  const traceParent = headerString(deadLetter.originalHeaders, CloudEventHeader.TraceParent);
  if (traceParent !== undefined) headers[CloudEventHeader.TraceParent] = childTraceParent(traceParent);
  headers[REDRIVEN_FROM_HEADER] = deadLetter.id;
  return { key: deadLetter.key, value: deadLetter.value, headers };
}
