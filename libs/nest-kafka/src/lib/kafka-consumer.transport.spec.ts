import 'reflect-metadata';

import { EXCEPTION_FILTERS_METADATA } from '@nestjs/common/constants';
import { type Consumer, type Kafka } from 'kafkajs';
import { lastValueFrom, of, throwError } from 'rxjs';

import { Topic } from '@newsflow/contracts';
import {
  type ConsumedEvent,
  type EventPublisher,
  PermanentError,
  TransientError,
  silentLogger,
} from '@newsflow/kafka';

import {
  KafkaConsumerTransport,
  KafkaEventController,
  RethrowRpcErrorsFilter,
} from './kafka-consumer.transport';
import { KafkaEventContext } from './kafka-event.context';

type Handler = (payload: unknown, context: KafkaEventContext) => Promise<unknown>;

/** A kafkajs consumer that records what the runner asks of it and never talks to a broker. */
function fakeKafka() {
  const calls = { subscribed: [] as string[][], ran: 0, disconnected: 0, groupId: '' };
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', DISCONNECT: 'consumer.disconnect' },
    on: () => () => undefined,
    connect: async () => undefined,
    subscribe: async ({ topics }: { topics: string[] }) => {
      calls.subscribed.push(topics);
    },
    run: async () => {
      calls.ran += 1;
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

function transport(kafka: Kafka = fakeKafka().kafka): KafkaConsumerTransport {
  return new KafkaConsumerTransport({
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
