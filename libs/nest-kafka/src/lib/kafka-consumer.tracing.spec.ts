import 'reflect-metadata';

import { SpanStatusCode } from '@opentelemetry/api';
import { type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { type Kafka } from 'kafkajs';
import pino from 'pino';

import { Topic, newEventMetadata, parseTraceParent } from '@newsflow/contracts';
import {
  type ConsumedBatch,
  type ConsumedEvent,
  type EventPublisher,
  TransientError,
  silentLogger,
} from '@newsflow/kafka';
import { SpanKind, type TracingHandle, startTracing, tracingSettingsFromEnv } from '@newsflow/observability';

import { KafkaConsumerTransport } from './kafka-consumer.transport';
import { type KafkaBatchContext } from './kafka-event.context';

// Spans are collected in memory instead of sent: the OTLP export itself is proven end to end
// (apps/pipeline-e2e/src/tracing.e2e-spec.ts). Everything else is the real SDK.
const mockExported: ReadableSpan[] = [];
jest.mock('@opentelemetry/exporter-trace-otlp-http', () => ({
  OTLPTraceExporter: class {
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
}));

function transport(): KafkaConsumerTransport {
  return new KafkaConsumerTransport({
    kafka: {} as Kafka,
    groupId: 'newsflow-test',
    stage: 'test',
    publisher: {} as EventPublisher,
    logger: silentLogger,
    retryPolicy: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 20 },
  });
}

function consumed(offset: string, key: string): ConsumedEvent {
  return {
    topic: Topic.ArticleIngestedV1,
    partition: 2,
    offset,
    key,
    payload: { id: key } as unknown as ConsumedEvent['payload'],
    // Each from its own producer span, as articles' events are.
    metadata: newEventMetadata({ type: 'dev.newsflow.article.ingested.v1', source: '/test' }),
    attempt: 1,
    heartbeat: async () => undefined,
  };
}

const internals = (server: KafkaConsumerTransport) =>
  server as unknown as {
    dispatch(event: ConsumedEvent): Promise<void>;
    dispatchBatch(batch: ConsumedBatch): Promise<void>;
  };

describe('KafkaConsumerTransport with tracing on', () => {
  let tracing: TracingHandle;

  beforeEach(async () => {
    mockExported.length = 0;
    const settings = tracingSettingsFromEnv('test', { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    tracing = await startTracing(settings as NonNullable<typeof settings>, pino({ level: 'silent' }));
  });

  afterEach(async () => {
    await tracing.shutdown();
  });

  it('runs a handler in a CONSUMER span under the message producer’s span; what it publishes carries the span', async () => {
    const server = transport();
    let published: string | undefined;
    server.addHandler(
      Topic.ArticleIngestedV1,
      async () => {
        published = newEventMetadata({ type: 't', source: 's' }).traceParent;
      },
      true,
    );
    const event = consumed('41', 'article-1');
    await internals(server).dispatch(event);
    await tracing.shutdown();

    expect(mockExported).toHaveLength(1);
    const span = mockExported[0] as ReadableSpan;
    const producer = parseTraceParent(event.metadata.traceParent);
    expect(span.name).toBe(`process ${Topic.ArticleIngestedV1}`);
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.spanContext().traceId).toBe(producer?.traceId);
    expect(span.parentSpanContext?.spanId).toBe(producer?.spanId);
    expect(span.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': Topic.ArticleIngestedV1,
      'messaging.destination.partition.id': '2',
      'messaging.consumer.group.name': 'newsflow-test',
      'messaging.kafka.offset': 41,
      'messaging.kafka.message.key': 'article-1',
      'messaging.message.id': event.metadata.id,
      'newsflow.attempt': 1,
    });
    expect(parseTraceParent(published)).toEqual({
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
      flags: 1,
    });
  });

  it('marks the span of a failed attempt as an error with the exception, and passes the error on', async () => {
    const server = transport();
    const error = new TransientError('DB_DOWN', 'database unreachable');
    server.addHandler(Topic.ArticleIngestedV1, async () => Promise.reject(error), true);
    await expect(internals(server).dispatch(consumed('1', 'a'))).rejects.toBe(error);
    await tracing.shutdown();

    const span = mockExported[0] as ReadableSpan;
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'database unreachable' });
    expect(span.events.map((spanEvent) => spanEvent.name)).toEqual(['exception']);
  });

  it('gives each event of a batch its own span under its own producer’s span, failed together', async () => {
    const server = transport();
    server.addHandler(
      Topic.ArticleIngestedV1,
      async () => Promise.reject(new Error('transaction rolled back')),
      true,
    );
    const events = [consumed('1', 'a'), consumed('2', 'b'), consumed('3', 'c')];
    const batch: ConsumedBatch = {
      topic: Topic.ArticleIngestedV1,
      partition: 2,
      events,
      attempt: 1,
      heartbeat: async () => undefined,
    };
    await expect(internals(server).dispatchBatch(batch)).rejects.toThrow('transaction rolled back');
    await tracing.shutdown();

    expect(mockExported).toHaveLength(3);
    const byKey = new Map(mockExported.map((span) => [span.attributes['messaging.kafka.message.key'], span]));
    for (const event of events) {
      const span = byKey.get(event.key ?? '') as ReadableSpan;
      const producer = parseTraceParent(event.metadata.traceParent);
      expect(span.spanContext().traceId).toBe(producer?.traceId);
      expect(span.parentSpanContext?.spanId).toBe(producer?.spanId);
      expect(span.attributes['messaging.batch.message_count']).toBe(3);
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
    }
    // Three articles, three traces.
    expect(new Set(mockExported.map((span) => span.spanContext().traceId)).size).toBe(3);
  });

  it('tells a batch handler each event’s span, so what it publishes about one event carries that span', async () => {
    const server = transport();
    const published: (string | undefined)[] = [];
    server.addHandler(
      Topic.ArticleIngestedV1,
      async (events: ConsumedEvent[], context: KafkaBatchContext) => {
        events.forEach((event, index) =>
          published.push(
            newEventMetadata({
              type: 't',
              source: 's',
              cause: event.metadata,
              parent: context.traceParentOf(index),
            }).traceParent,
          ),
        );
      },
      true,
    );
    const events = [consumed('1', 'a'), consumed('2', 'b')];
    await internals(server).dispatchBatch({
      topic: Topic.ArticleIngestedV1,
      partition: 2,
      events,
      attempt: 1,
      heartbeat: async () => undefined,
    });
    await tracing.shutdown();

    const byKey = new Map(mockExported.map((span) => [span.attributes['messaging.kafka.message.key'], span]));
    events.forEach((event, index) => {
      const span = byKey.get(event.key ?? '') as ReadableSpan;
      expect(parseTraceParent(published[index])).toEqual({
        traceId: span.spanContext().traceId,
        spanId: span.spanContext().spanId,
        flags: 1,
      });
    });
  });
});
