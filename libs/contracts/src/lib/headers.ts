import { randomUUID } from 'node:crypto';

import { isSpanContextValid, trace } from '@opentelemetry/api';

/**
 * Event metadata travels in Kafka headers (CloudEvents Kafka protocol binding, binary mode) so the
 * payload stays the plain domain object. Extension attributes are lowercase alphanumerics by spec.
 */
export const CloudEventHeader = {
  SpecVersion: 'ce_specversion',
  Id: 'ce_id',
  Type: 'ce_type',
  Source: 'ce_source',
  Time: 'ce_time',
  CorrelationId: 'ce_correlationid',
  CausationId: 'ce_causationid',
  ContentType: 'content-type',
  TraceParent: 'traceparent',
} as const;

export interface EventMetadata {
  id: string;
  type: string;
  source: string;
  time: string;
  /** Id of the first event of the chain (the ingested article's event for everything downstream). */
  correlationId: string;
  /** Id of the event that directly caused this one, if any. */
  causationId?: string;
  traceParent: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Random hex from a v4 UUID: node caches entropy for randomUUID, so this is far cheaper per event than randomBytes. */
function randomHex(length: 16 | 32): string {
  const hex = randomUUID().replace(/-/g, '');
  return length === 32 ? hex : hex.slice(0, 16);
}

/** A W3C traceparent that continues the parent's trace with a new span, or starts a new trace. */
export function childTraceParent(parent?: string): string {
  const match = parent ? TRACEPARENT.exec(parent) : null;
  const traceId = match?.[1] ?? randomHex(32);
  const flags = match?.[3] ?? '01';
  return `00-${traceId}-${randomHex(16)}-${flags}`;
}

export function traceIdOf(traceParent: string | undefined): string | undefined {
  return traceParent ? TRACEPARENT.exec(traceParent)?.[1] : undefined;
}

export interface TraceParentParts {
  traceId: string;
  spanId: string;
  /** The trace flags byte; bit 0 is "sampled". */
  flags: number;
}

/** The parts of a W3C `traceparent` (version 00); undefined when it does not parse. */
export function parseTraceParent(traceParent: string | undefined): TraceParentParts | undefined {
  const match = traceParent === undefined ? null : TRACEPARENT.exec(traceParent);
  if (!match) return undefined;
  return {
    traceId: match[1] as string,
    spanId: match[2] as string,
    flags: Number.parseInt(match[3] as string, 16),
  };
}

export function formatTraceParent(parts: TraceParentParts): string {
  return `00-${parts.traceId}-${parts.spanId}-${(parts.flags & 0xff).toString(16).padStart(2, '0')}`;
}

/**
 * The `traceparent` of the active OpenTelemetry span, when a service traces (an SDK is registered and a
 * span is active). Without an SDK the API has no context manager and this is undefined at once.
 */
function activeSpanTraceParent(): string | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext === undefined || !isSpanContextValid(spanContext)) return undefined;
  return formatTraceParent({ ...spanContext, flags: spanContext.traceFlags });
}

export function newEventMetadata(input: {
  type: string;
  source: string;
  cause?: EventMetadata;
  /**
   * The `traceparent` of the span that produces the event when it is not the active one (a batch
   * handler publishing for each event of the batch from that event's span).
   */
  parent?: string;
  now?: Date;
}): EventMetadata {
  const id = randomUUID();
  return {
    id,
    type: input.type,
    source: input.source,
    time: (input.now ?? new Date()).toISOString(),
    correlationId: input.cause?.correlationId ?? id,
    causationId: input.cause?.id,
    // The span that produces the event is its parent downstream, so the consumer's span links up to
    // it; without tracing, a child of the cause's keeps the trace id going from event to event.
    traceParent: input.parent ?? activeSpanTraceParent() ?? childTraceParent(input.cause?.traceParent),
  };
}

export function toHeaders(metadata: EventMetadata): Record<string, string> {
  const headers: Record<string, string> = {
    [CloudEventHeader.SpecVersion]: '1.0',
    [CloudEventHeader.Id]: metadata.id,
    [CloudEventHeader.Type]: metadata.type,
    [CloudEventHeader.Source]: metadata.source,
    [CloudEventHeader.Time]: metadata.time,
    [CloudEventHeader.CorrelationId]: metadata.correlationId,
    [CloudEventHeader.ContentType]: 'application/json',
    [CloudEventHeader.TraceParent]: metadata.traceParent,
  };
  if (metadata.causationId) headers[CloudEventHeader.CausationId] = metadata.causationId;
  return headers;
}

export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

export function headerString(headers: RawHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

/**
 * Reads event metadata from headers. Producers outside Newsflow may omit some; missing values are
 * filled in so that downstream events still form a chain, never rejected for it.
 */
export function fromHeaders(headers: RawHeaders | undefined): EventMetadata {
  const id = headerString(headers, CloudEventHeader.Id) ?? randomUUID();
  return {
    id,
    type: headerString(headers, CloudEventHeader.Type) ?? 'unknown',
    source: headerString(headers, CloudEventHeader.Source) ?? 'unknown',
    time: headerString(headers, CloudEventHeader.Time) ?? new Date().toISOString(),
    correlationId: headerString(headers, CloudEventHeader.CorrelationId) ?? id,
    causationId: headerString(headers, CloudEventHeader.CausationId),
    traceParent: headerString(headers, CloudEventHeader.TraceParent) ?? childTraceParent(),
  };
}
