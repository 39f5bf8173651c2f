import 'reflect-metadata';

import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { EventPattern } from '@nestjs/microservices';
import { PATTERN_EXTRAS_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import {
  type Consumer,
  type ConsumerRunConfig,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Offsets,
} from 'kafkajs';
import { lastValueFrom, of, throwError } from 'rxjs';

import { Topic, newEventMetadata, toHeaders } from '@newsflow/contracts';
import {
  type ConsumedBatch,
  type ConsumedEvent,
  type EventPublisher,
  PermanentError,
  TransientError,
  silentLogger,
} from '@newsflow/kafka';

import { KafkaBatchPattern, batchOptionsOf } from './kafka-batch-pattern';
import {
  DEFAULT_MAX_BATCH_SIZE,
  KafkaConsumerTransport,
  KafkaEventController,
  RethrowRpcErrorsFilter,
} from './kafka-consumer.transport';
import { KafkaBatchContext, KafkaEventContext } from './kafka-event.context';

type Handler = (payload: unknown, context: KafkaEventContext) => Promise<unknown>;

/** A kafkajs consumer that records what the runner asks of it and never talks to a broker. */
function fakeKafka() {
  const calls = {
    subscribed: [] as string[][],
    ran: 0,
    disconnected: 0,
    groupId: '',
    runConfig: undefined as ConsumerRunConfig | undefined,
  };
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', DISCONNECT: 'consumer.disconnect' },
    on: () => () => undefined,
    connect: async () => undefined,
    subscribe: async ({ topics }: { topics: string[] }) => {
      calls.subscribed.push(topics);
    },
    run: async (config: ConsumerRunConfig) => {
      calls.ran += 1;
      calls.runConfig = config;
    },
    disconnect: async () => {
      calls.disconnected += 1;
    },
  } as unknown as Consumer;
  const kafka = {
    consumer: ({ groupId }: { groupId: string }) => {
      calls.groupId = groupId;
      return consumer;
    },
  } as unknown as Kafka;
  return { kafka, calls };
}

function transport(
  kafka: Kafka = fakeKafka().kafka,
  extra: { maxBatchSize?: number } = {},
): KafkaConsumerTransport {
  return new KafkaConsumerTransport({
    ...extra,
    kafka,
    groupId: 'newsflow-test',
    stage: 'test',
    publisher: {} as EventPublisher,
    logger: silentLogger,
    retryPolicy: { maxAttempts: 3, initialBackoffMs: 10, maxBackoffMs: 20 },
  });
}

function listen(server: KafkaConsumerTransport): Promise<unknown> {
  return new Promise((resolve) => server.listen((error?: unknown) => resolve(error)));
}

function event(overrides: Partial<ConsumedEvent> = {}): ConsumedEvent {
  return {
    topic: Topic.ArticleIngestedV1,
    partition: 0,
    offset: '1',
    key: 'k',
    payload: { id: 'payload' } as unknown as ConsumedEvent['payload'],
    metadata: {
      id: 'event-id',
      type: 'dev.newsflow.article.ingested.v1',
      source: '/test',
      time: '2026-01-01T00:00:00.000Z',
      correlationId: 'event-id',
      traceParent: '00-0123456789abcdef0123456789abcdef-0123456789abcdef-01',
    },
    attempt: 1,
    heartbeat: async () => undefined,
    ...overrides,
  };
}

/** The transport's dispatch, as the consumer runtime calls it. */
function dispatch(server: KafkaConsumerTransport, consumed: ConsumedEvent): Promise<void> {
  return (server as unknown as { dispatch(e: ConsumedEvent): Promise<void> }).dispatch(consumed);
}

describe('RethrowRpcErrorsFilter', () => {
  it('hands the very same error back instead of a generic one', async () => {
    const error = new PermanentError('BOOM', 'x');
    await expect(lastValueFrom(new RethrowRpcErrorsFilter().catch(error))).rejects.toBe(error);
  });

  it('also rethrows non-Error values as they are', async () => {
    await expect(lastValueFrom(new RethrowRpcErrorsFilter().catch('a string'))).rejects.toBe('a string');
  });
});

describe('KafkaEventController', () => {
  it('puts the rethrowing filter on the controller class', () => {
    @KafkaEventController()
    class SomeController {}
    const filters: unknown[] = Reflect.getMetadata(EXCEPTION_FILTERS_METADATA, SomeController) ?? [];
    expect(filters.some((filter) => filter instanceof RethrowRpcErrorsFilter)).toBe(true);
  });
});

describe('KafkaEventContext', () => {
  it('exposes the consumed event, also as the only argument', () => {
    const consumed = event();
    const context = new KafkaEventContext(consumed);
    expect(context.event).toBe(consumed);
    expect(context.getArgs()).toEqual([consumed]);
    expect(context.getArgByIndex(0)).toBe(consumed);
  });
});

describe('KafkaConsumerTransport', () => {
  it('refuses to start with an @EventPattern on a topic that is not in the contracts', async () => {
    const server = transport();
    server.addHandler(Topic.ArticleIngestedV1, async () => undefined, true);
    server.addHandler('news.articles.typo.v1', async () => undefined, true);
    const error = await listen(server);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('news.articles.typo.v1');
    expect((error as Error).message).not.toContain(Topic.ArticleIngestedV1);
    expect(server.membership()).toEqual({ joined: false, error: 'not started' });
  });

  it('subscribes the consumer group to exactly the topics it has handlers for', async () => {
    const { kafka, calls } = fakeKafka();
    const server = transport(kafka);
    server.addHandler(Topic.ArticleIngestedV1, async () => undefined, true);
    server.addHandler(Topic.ArticleEnrichedV1, async () => undefined, true);

    await expect(listen(server)).resolves.toBeUndefined();
    expect(calls.groupId).toBe('newsflow-test');
    expect(calls.subscribed).toEqual([[Topic.ArticleIngestedV1, Topic.ArticleEnrichedV1]]);
    expect(calls.ran).toBe(1);
    expect(server.unwrap()).toBeDefined();
    // Not in the group until the coordinator says so.
    expect(server.membership()).toEqual({ joined: false, error: undefined });

    await server.close();
    expect(calls.disconnected).toBe(1);
  });

  it('reports "not started" and closes quietly before it listened', async () => {
    const server = transport();
    expect(server.membership()).toEqual({ joined: false, error: 'not started' });
    await expect(server.close()).resolves.toBeUndefined();
  });

  it('has no events to listen to', () => {
    expect(() => transport().on()).toThrow(/no events/);
  });

  describe('dispatch', () => {
    it('calls the handler of the topic with the payload and a KafkaEventContext, and waits for it', async () => {
      const server = transport();
      const seen: { payload: unknown; context: KafkaEventContext }[] = [];
      let finished = false;
      const handler: Handler = async (payload, context) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push({ payload, context });
        finished = true;
      };
      server.addHandler(Topic.ArticleIngestedV1, handler, true);
      const consumed = event();

      await dispatch(server, consumed);
      expect(finished).toBe(true);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.payload).toBe(consumed.payload);
      expect(seen[0]?.context).toBeInstanceOf(KafkaEventContext);
      expect(seen[0]?.context.event).toBe(consumed);
    });

    it('fails with NO_HANDLER for a topic without a handler', async () => {
      const server = transport();
      await expect(dispatch(server, event({ topic: Topic.ArticleEnrichedV1 }))).rejects.toMatchObject({
        code: 'NO_HANDLER',
        retryable: false,
      });
    });

    it('passes on an error thrown by the handler', async () => {
      const server = transport();
      const error = new TransientError('BUSY', 'busy');
      server.addHandler(
        Topic.ArticleIngestedV1,
        async () => {
          throw error;
        },
        true,
      );
      await expect(dispatch(server, event())).rejects.toBe(error);
    });

    it('passes on an error carried by an Observable (what Nest exception filters return)', async () => {
      const server = transport();
      const error = new PermanentError('BOOM', 'x');
      server.addHandler(Topic.ArticleIngestedV1, async () => throwError(() => error), true);
      await expect(dispatch(server, event())).rejects.toBe(error);
    });

    it('resolves for a handler resolving to an Observable or a plain value', async () => {
      const server = transport();
      server.addHandler(Topic.ArticleIngestedV1, async () => of(1, 2, 3), true);
      server.addHandler(Topic.ArticleEnrichedV1, async () => 'done', true);
      await expect(dispatch(server, event())).resolves.toBeUndefined();
      await expect(dispatch(server, event({ topic: Topic.ArticleEnrichedV1 }))).resolves.toBeUndefined();
    });
  });
});

/** The extras Nest registers for a handler decorated with `decorator` (what the listeners controller passes on). */
function extrasOf(decorator: MethodDecorator): { pattern: string; extras: Record<string, unknown> } {
  class Holder {
    handle(): void {
      return undefined;
    }
  }
  const descriptor = Object.getOwnPropertyDescriptor(Holder.prototype, 'handle') as PropertyDescriptor;
  decorator(Holder.prototype, 'handle', descriptor);
  const [pattern] = Reflect.getMetadata(PATTERN_METADATA, descriptor.value) as string[];
  return {
    pattern: pattern as string,
    extras: Reflect.getMetadata(PATTERN_EXTRAS_METADATA, descriptor.value),
  };
}

function addBatchHandler(
  server: KafkaConsumerTransport,
  decorator: MethodDecorator,
  handler: (events: ConsumedEvent[], context: KafkaBatchContext) => Promise<unknown>,
): void {
  const { pattern, extras } = extrasOf(decorator);
  server.addHandler(pattern, handler as unknown as Handler, true, extras);
}

function articleMessages(count: number): KafkaMessage[] {
  return Array.from({ length: count }, (_, offset) => {
    const id = `${offset}`.padStart(32, 'a');
    const article = {
      id,
      contentHash: 'c'.repeat(64),
      publishedAt: '2022-02-22',
      lede: 'A lede',
      paragraphs: ['One paragraph.'],
      text: 'One paragraph.',
      wordCount: 2,
      source: { bucket: 'local', key: `k/${id}.txt`, sizeBytes: 10 },
      parserVersion: 'test-1',
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      ingestedAt: '2026-01-01T00:00:00.000Z',
    };
    return {
      key: Buffer.from(id),
      value: Buffer.from(JSON.stringify(article)),
      offset: String(offset),
      timestamp: '0',
      attributes: 0,
      headers: toHeaders(newEventMetadata({ type: 'dev.newsflow.article.ingested.v1', source: '/unit' })),
    };
  });
}

/** Feeds one fetched partition batch to the consumer the transport started; returns the offsets it committed. */
async function feed(calls: { runConfig?: ConsumerRunConfig }, topic: string, messages: KafkaMessage[]) {
  const committed: string[] = [];
  const payload = {
    batch: {
      topic,
      partition: 0,
      highWatermark: String(messages.length),
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => messages[0]?.offset ?? null,
      lastOffset: () => messages[messages.length - 1]?.offset ?? '-1',
      offsetLag: () => '0',
      offsetLagLow: () => '0',
    },
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    pause: () => () => undefined,
    commitOffsetsIfNecessary: async (offsets?: Offsets) => {
      for (const { partitions } of offsets?.topics ?? []) committed.push(...partitions.map((p) => p.offset));
    },
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: () => true,
    isStale: () => false,
  } satisfies EachBatchPayload;
  const eachBatch = calls.runConfig?.eachBatch;
  if (!eachBatch) throw new Error('the transport did not start a consumer');
  await eachBatch(payload);
  return committed;
}

describe('KafkaBatchPattern', () => {
  it('is an event pattern for the topic whose extras carry the batch options', () => {
    const { pattern, extras } = extrasOf(KafkaBatchPattern(Topic.ArticleIngestedV1, { maxBatchSize: 7 }));
    expect(pattern).toBe(Topic.ArticleIngestedV1);
    const handler = Object.assign(async () => undefined, { extras });
    expect(batchOptionsOf(handler)).toEqual({ maxBatchSize: 7 });
    expect(
      batchOptionsOf(
        Object.assign(async () => undefined, {
          extras: extrasOf(KafkaBatchPattern(Topic.ArticleIngestedV1)).extras,
        }),
      ),
    ).toEqual({});
  });

  it('is not found on a plain @EventPattern handler', () => {
    const { extras } = extrasOf(EventPattern(Topic.ArticleIngestedV1));
    expect(batchOptionsOf(Object.assign(async () => undefined, { extras }))).toBeUndefined();
    expect(batchOptionsOf(async () => undefined)).toBeUndefined();
  });
});

describe('KafkaBatchContext', () => {
  it('exposes the consumed batch, also as the only argument', () => {
    const batch: ConsumedBatch = {
      topic: Topic.ArticleIngestedV1,
      partition: 1,
      events: [event()],
      attempt: 2,
      heartbeat: async () => undefined,
    };
    const context = new KafkaBatchContext(batch);
    expect(context.batch).toBe(batch);
    expect(context.getArgs()).toEqual([batch]);
  });
});

describe('KafkaConsumerTransport with batch handlers', () => {
  it('hands a @KafkaBatchPattern handler the events of a chunk and a KafkaBatchContext, in chunks of its maxBatchSize', async () => {
    const { kafka, calls } = fakeKafka();
    const server = transport(kafka);
    const received: { offsets: string[]; context: KafkaBatchContext }[] = [];
    addBatchHandler(
      server,
      KafkaBatchPattern(Topic.ArticleIngestedV1, { maxBatchSize: 2 }),
      async (events, context) => {
        received.push({ offsets: events.map((e) => e.offset), context });
      },
    );
    await expect(listen(server)).resolves.toBeUndefined();

    const committed = await feed(calls, Topic.ArticleIngestedV1, articleMessages(5));
    expect(received.map((call) => call.offsets)).toEqual([['0', '1'], ['2', '3'], ['4']]);
    expect(committed).toEqual(['2', '4', '5']);
    const first = received[0]?.context;
    expect(first).toBeInstanceOf(KafkaBatchContext);
    expect(first?.batch.topic).toBe(Topic.ArticleIngestedV1);
    expect(first?.batch.attempt).toBe(1);
    expect(first?.batch.events.map((e) => (e.payload as { id: string }).id)).toEqual([
      '0'.padStart(32, 'a'),
      '1'.padStart(32, 'a'),
    ]);
  });

  it("uses the transport's maxBatchSize, or DEFAULT_MAX_BATCH_SIZE, for a handler that sets none", async () => {
    const sizes: number[] = [];
    for (const maxBatchSize of [3, undefined]) {
      const { kafka, calls } = fakeKafka();
      const server = transport(kafka, { maxBatchSize });
      addBatchHandler(server, KafkaBatchPattern(Topic.ArticleIngestedV1), async (events) => {
        sizes.push(events.length);
      });
      await listen(server);
      await feed(calls, Topic.ArticleIngestedV1, articleMessages(DEFAULT_MAX_BATCH_SIZE + 1));
    }
    expect(sizes).toEqual([...Array.from({ length: 33 }, () => 3), 2, DEFAULT_MAX_BATCH_SIZE, 1]);
  });

  it('consumes one topic in batches and another one message at a time in the same group', async () => {
    const { kafka, calls } = fakeKafka();
    const server = transport(kafka);
    const batches: number[] = [];
    const singles: unknown[] = [];
    addBatchHandler(server, KafkaBatchPattern(Topic.ArticleIngestedV1), async (events) => {
      batches.push(events.length);
    });
    server.addHandler(
      Topic.ArticleEnrichedV1,
      async (payload: unknown) => {
        singles.push(payload);
      },
      true,
    );
    await expect(listen(server)).resolves.toBeUndefined();
    expect(calls.subscribed).toEqual([[Topic.ArticleIngestedV1, Topic.ArticleEnrichedV1]]);

    await feed(calls, Topic.ArticleIngestedV1, articleMessages(3));
    expect(batches).toEqual([3]);
    expect(singles).toEqual([]);
  });

  it('refuses to start with @KafkaBatchPattern and @EventPattern handlers for the same topic', async () => {
    const { kafka, calls } = fakeKafka();
    const server = transport(kafka);
    server.addHandler(Topic.ArticleIngestedV1, async () => undefined, true);
    addBatchHandler(server, KafkaBatchPattern(Topic.ArticleIngestedV1), async () => undefined);
    const error = await listen(server);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/news\.articles\.ingested\.v1 has both/);
    expect(calls.ran).toBe(0);
  });

  it('refuses to start with a maxBatchSize that is not a positive integer', async () => {
    const server = transport();
    addBatchHandler(
      server,
      KafkaBatchPattern(Topic.ArticleIngestedV1, { maxBatchSize: 0 }),
      async () => undefined,
    );
    expect(await listen(server)).toMatchObject({ message: expect.stringMatching(/positive integer/) });
  });

  it('passes on an error of the batch handler, so the runtime retries or splits the batch', async () => {
    const server = transport();
    const error = new TransientError('DB_DOWN', 'down');
    addBatchHandler(server, KafkaBatchPattern(Topic.ArticleIngestedV1), async () => throwError(() => error));
    const dispatchBatch = (
      server as unknown as { dispatchBatch(b: ConsumedBatch): Promise<void> }
    ).dispatchBatch.bind(server);
    const batch: ConsumedBatch = {
      topic: Topic.ArticleIngestedV1,
      partition: 0,
      events: [event()],
      attempt: 1,
      heartbeat: async () => undefined,
    };
    await expect(dispatchBatch(batch)).rejects.toBe(error);
    await expect(dispatchBatch({ ...batch, topic: Topic.ArticleEnrichedV1 })).rejects.toMatchObject({
      code: 'NO_HANDLER',
    });
  });
});
