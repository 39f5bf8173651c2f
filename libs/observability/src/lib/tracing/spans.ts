import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  context,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';

import { formatTraceParent, parseTraceParent } from '@newsflow/contracts';

export { SpanKind, type Span };

/**
 * Spans are made only while tracing is on (startTracing found an OTLP endpoint). Off, every helper here
 * returns at once, or hands out one shared non-recording span: no context is created or switched, so the
 * consumer path pays a boolean check per message. Trace ids still travel in the Kafka headers then, as
 * contracts' newEventMetadata makes them.
 */
let tracer: Tracer | undefined;

/** Called by startTracing and its shutdown; nothing else switches tracing on or off. */
export function useTracer(value: Tracer | undefined): void {
  tracer = value;
}

export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

/** What callers get while tracing is off: setting attributes or ending it does nothing. */
const NOT_TRACED: Span = trace.wrapSpanContext({
  traceId: '00000000000000000000000000000000',
  spanId: '0000000000000000',
  traceFlags: 0,
});

/** The remote span a W3C `traceparent` names; undefined when it does not parse or is all zeros. */
export function spanContextOf(traceParent: string | undefined): SpanContext | undefined {
  const parts = parseTraceParent(traceParent);
  if (!parts) return undefined;
  const spanContext: SpanContext = {
    traceId: parts.traceId,
    spanId: parts.spanId,
    traceFlags: parts.flags,
    isRemote: true,
  };
  return isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** The W3C `traceparent` of a span: what goes into Kafka headers and the webhook request. */
export function traceParentOf(span: Span): string | undefined {
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (!isSpanContextValid({ traceId, spanId, traceFlags })) return undefined;
  return formatTraceParent({ traceId, spanId, flags: traceFlags });
}

export interface StartSpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /**
   * The `traceparent` of the span this one continues (from a Kafka header or a queued delivery). When it
   * is missing or invalid the span starts a new trace.
   */
  parent?: string;
  /** Start a new trace whatever is active (an object found in the inbox is the start of its articles' traces). */
  root?: boolean;
  /**
   * `traceparent`s of spans this one relates to without being their child: a bulk file's span, from
   * each of its articles' own traces. Missing or invalid ones are left out.
   */
  links?: readonly (string | undefined)[];
}

function linksOf(options: StartSpanOptions): Link[] | undefined {
  const links = (options.links ?? []).flatMap((traceParent) => {
    const linked = spanContextOf(traceParent);
    return linked ? [{ context: linked }] : [];
  });
  return links.length > 0 ? links : undefined;
}

function parentContext(options: StartSpanOptions): Context {
  if (options.parent !== undefined) {
    const remote = spanContextOf(options.parent);
    return remote ? trace.setSpanContext(ROOT_CONTEXT, remote) : ROOT_CONTEXT;
  }
  return options.root ? ROOT_CONTEXT : context.active();
}

/** A span the caller ends (and may keep inactive); the shared non-recording one while tracing is off. */
export function startSpan(name: string, options: StartSpanOptions = {}): Span {
  if (tracer === undefined) return NOT_TRACED;
  return tracer.startSpan(
    name,
    { kind: options.kind, attributes: options.attributes, links: linksOf(options) },
    parentContext(options),
  );
}

/** Marks a span as failed without an exception (a receiver's 500, say). */
export function markFailed(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** Marks a span as failed with the error, as an exception event plus an error status. */
export function recordFailure(span: Span, error: unknown): void {
  if (!span.isRecording()) return;
  const exception = error instanceof Error ? error : new Error(String(error));
  span.recordException(exception);
  span.setStatus({ code: SpanStatusCode.ERROR, message: exception.message });
}

/**
 * Runs `work` inside a new span, active for everything it calls: events published in it carry the span's
 * context as their `traceparent`. A rejection marks the span failed and is passed on.
 */
export async function inSpan<T>(
  name: string,
  options: StartSpanOptions,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  if (tracer === undefined) return work(NOT_TRACED);
  const parent = parentContext(options);
  const span = tracer.startSpan(
    name,
    { kind: options.kind, attributes: options.attributes, links: linksOf(options) },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    recordFailure(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The `traceparent` of the active span, if tracing is on and a span is active. */
export function activeTraceParent(): string | undefined {
  if (tracer === undefined) return undefined;
  const span = trace.getSpan(context.active());
  return span ? traceParentOf(span) : undefined;
}
