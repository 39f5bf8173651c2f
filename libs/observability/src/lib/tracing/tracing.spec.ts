import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import pino from 'pino';

import { newEventMetadata, parseTraceParent, traceIdOf } from '@newsflow/contracts';

import {
  SpanKind,
  activeTraceParent,
  inSpan,
  startSpan,
  startTracing,
  traceParentOf,
  tracingEnabled,
  tracingSettingsFromEnv,
} from '../../index';

// Counts the loads of the SDK's modules: the lazy imports in startTracing go through these factories.
let mockSdkLoads = 0;
let mockExporterLoads = 0;
jest.mock('@opentelemetry/sdk-trace-node', () => {
  mockSdkLoads++;
  return jest.requireActual('@opentelemetry/sdk-trace-node');
});
// The exporter stands in for the OTLP one here: the real one loads its HTTP transport with a dynamic
// import(), which jest's module sandbox cannot run. The export over HTTP to a real receiver is proven by
// apps/pipeline-e2e/src/tracing.e2e-spec.ts, with the services under plain Node.
const mockExported: ReadableSpan[] = [];
const mockExporterUrls: (string | undefined)[] = [];
jest.mock('@opentelemetry/exporter-trace-otlp-http', () => {
  mockExporterLoads++;
  return {
    OTLPTraceExporter: class {
      constructor(config: { url?: string }) {
        mockExporterUrls.push(config.url);
      }
      export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
        mockExported.push(...spans);
        done({ code: 0 });
      }
      shutdown(): Promise<void> {
        return Promise.resolve();
      }
      forceFlush(): Promise<void> {
        return Promise.resolve();
      }
    },
  };
});

const silent = pino({ level: 'silent' });
const CAUSE = newEventMetadata({ type: 'test.cause', source: 'test' });

describe('tracing off (no OTLP endpoint in the environment)', () => {
  it('starts no SDK and loads none of its modules', () => {
    expect(tracingSettingsFromEnv('ingestion', { LOG_LEVEL: 'info', PORT: '3000' })).toBeUndefined();
    expect(mockSdkLoads).toBe(0);
    expect(mockExporterLoads).toBe(0);
    expect(tracingEnabled()).toBe(false);
    // The API has no provider and no context manager: its tracer is the no-op one.
    expect(trace.getTracer('anyone').startSpan('x').isRecording()).toBe(false);
  });

  it('runs work without a span or a context switch, and events still continue the cause trace', async () => {
    const seen = await inSpan('work', { parent: CAUSE.traceParent }, async (span) => {
      expect(span.isRecording()).toBe(false);
      expect(traceParentOf(span)).toBeUndefined();
      expect(activeTraceParent()).toBeUndefined();
      expect(context.active()).toBe(ROOT_CONTEXT);
      return newEventMetadata({ type: 'test.effect', source: 'test', cause: CAUSE });
    });
    expect(traceIdOf(seen.traceParent)).toBe(traceIdOf(CAUSE.traceParent));
    expect(seen.traceParent).not.toBe(CAUSE.traceParent);
    expect(startSpan('x', { kind: SpanKind.CLIENT }).isRecording()).toBe(false);
  });

  it('is off with an endpoint when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says so', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(tracingSettingsFromEnv('x', { ...endpoint, OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracingSettingsFromEnv('x', { ...endpoint, OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    // An empty value is unset, as docker-compose's `OTEL_EXPORTER_OTLP_ENDPOINT=` leaves it.
    expect(tracingSettingsFromEnv('x', { OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
  });
});

describe('tracing settings', () => {
  it('sends to <endpoint>/v1/traces, or to the traces endpoint as it is, as the service', () => {
    expect(
      tracingSettingsFromEnv('storage', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }),
    ).toEqual({
      serviceName: 'storage',
      endpoint: 'http://collector:4318/v1/traces',
    });
    expect(
      tracingSettingsFromEnv('storage', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example/otlp',
        OTEL_SERVICE_NAME: 'newsflow-storage',
      }),
    ).toEqual({ serviceName: 'newsflow-storage', endpoint: 'https://traces.example/otlp' });
  });

  it.each([
    [
      { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' },
      'OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL',
    ],
    [{ OTEL_TRACES_SAMPLER: 'sometimes' }, 'OTEL_TRACES_SAMPLER: must be one of always_on'],
    [
      { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' },
      'OTEL_TRACES_SAMPLER_ARG: must be a number between 0 and 1',
    ],
    [{ OTEL_TRACES_SAMPLER_ARG: '0.5' }, 'OTEL_TRACES_SAMPLER_ARG: only means something with'],
    [
      { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' },
      'OTEL_EXPORTER_OTLP_PROTOCOL: Newsflow exports traces as OTLP/HTTP with JSON',
    ],
    [
      { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' },
      'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: Newsflow exports',
    ],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() =>
      tracingSettingsFromEnv('x', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', ...env }),
    ).toThrow(message);
  });

  it('takes the sampler settings of the specification', () => {
    expect(
      tracingSettingsFromEnv('x', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }),
    ).toBeDefined();
  });
});

describe('tracing on (an OTLP endpoint set)', () => {
  it('records spans that continue the trace of a traceparent, and events carry the active span', async () => {
    const settings = tracingSettingsFromEnv('tracing-test', {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    });
    expect(settings).toBeDefined();
    const tracing = await startTracing(settings as NonNullable<typeof settings>, silent);
    expect(mockSdkLoads).toBe(1);
    expect(mockExporterLoads).toBe(1);
    // The settings' URL, not whatever the exporter would find in process.env.
    expect(mockExporterUrls).toEqual(['http://127.0.0.1:4318/v1/traces']);
    expect(tracingEnabled()).toBe(true);

    const published = await inSpan(
      'process test',
      { kind: SpanKind.CONSUMER, parent: CAUSE.traceParent },
      async (span) => {
        expect(span.isRecording()).toBe(true);
        const inner = await inSpan('inner', {}, async () => activeTraceParent());
        return {
          span: traceParentOf(span),
          inner,
          event: newEventMetadata({ type: 't', source: 's', cause: CAUSE }),
        };
      },
    );
    // The event's traceparent is the consumer span itself, in the cause's trace.
    expect(published.event.traceParent).toBe(published.span);
    const consumer = parseTraceParent(published.span);
    expect(consumer?.traceId).toBe(traceIdOf(CAUSE.traceParent));
    // Outside any span, an event falls back to a child of its cause.
    expect(traceIdOf(newEventMetadata({ type: 't', source: 's', cause: CAUSE }).traceParent)).toBe(
      consumer?.traceId,
    );
    const root = startSpan('root', { root: true, links: [published.span, undefined, 'not-a-traceparent'] });
    expect(root.spanContext().traceId).not.toBe(consumer?.traceId);
    root.end();

    await tracing.shutdown();
    expect(tracingEnabled()).toBe(false);
    const byName = new Map(mockExported.map((span) => [span.name, span]));
    const processSpan = byName.get('process test');
    expect(processSpan?.kind).toBe(SpanKind.CONSUMER);
    expect(processSpan?.spanContext()).toMatchObject({
      traceId: consumer?.traceId,
      spanId: consumer?.spanId,
    });
    expect(processSpan?.parentSpanContext?.spanId).toBe(parseTraceParent(CAUSE.traceParent)?.spanId);
    const innerSpan = byName.get('inner');
    expect(innerSpan?.spanContext().spanId).toBe(parseTraceParent(published.inner)?.spanId);
    expect(innerSpan?.parentSpanContext?.spanId).toBe(consumer?.spanId);
    expect(byName.get('root')?.parentSpanContext).toBeUndefined();
    // Linked to the consumer span (in another trace); what is not a traceparent is left out.
    expect(byName.get('root')?.links.map((link) => link.context)).toEqual([
      expect.objectContaining({ traceId: consumer?.traceId, spanId: consumer?.spanId }),
    ]);
    expect(processSpan?.links).toEqual([]);
    expect(processSpan?.resource.attributes['service.name']).toBe('tracing-test');
    // Unregistered again: the API is back to its no-op tracer.
    expect(trace.getTracer('anyone').startSpan('x').isRecording()).toBe(false);
  });
});
