import {
  Catch,
  Controller,
  type INestApplication,
  type RpcExceptionFilter,
  UseFilters,
  applyDecorators,
} from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { type Kafka } from 'kafkajs';
import { lastValueFrom, type Observable, throwError } from 'rxjs';

import { type Topic, isTopic } from '@newsflow/contracts';
import {
  type BatchTopicOptions,
  type ConsumedBatch,
  type ConsumedEvent,
  ConsumerRunner,
  type ConsumerObserver,
  type EventPublisher,
  PermanentError,
  type RetryPolicy,
  type RuntimeLogger,
} from '@newsflow/kafka';
import {
  SpanKind,
  inSpan,
  recordFailure,
  startSpan,
  traceParentOf,
  tracingEnabled,
} from '@newsflow/observability';

import { batchOptionsOf } from './kafka-batch-pattern';
import { KafkaBatchContext, KafkaEventContext } from './kafka-event.context';

/** How many events a `@KafkaBatchPattern` handler receives at most, unless it or the transport says otherwise. */
export const DEFAULT_MAX_BATCH_SIZE = 100;

export interface KafkaConsumerTransportOptions {
  kafka: Kafka;
  groupId: string;
  stage: string;
  publisher: EventPublisher;
  logger: RuntimeLogger;
  retryPolicy: RetryPolicy;
  partitionsConsumedConcurrently?: number;
  /** See ConsumerRunnerOptions.maxBytesPerPartition. */
  maxBytesPerPartition?: number;
  /** See ConsumerRunnerOptions.fetchMinBytes and fetchMaxWaitMs. */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  startFrom?: 'earliest' | 'latest';
  observer?: ConsumerObserver;
  /** The batch size of `@KafkaBatchPattern` handlers that set none (default DEFAULT_MAX_BATCH_SIZE). */
  maxBatchSize?: number;
  /** See ConsumerRunnerOptions.topicNames: contract topics read from other Kafka topic names. */
  topicNames?: Partial<Record<Topic, string>>;
}

/**
 * A Nest microservice transport over the Newsflow consumer runtime. Handlers are ordinary
 * `@EventPattern(Topic.X)` methods, or `@KafkaBatchPattern(Topic.X)` ones that take the events of a
 * chunk of one partition at once; one group may consume some topics each way. The runtime validates
 * payloads, retries, dead-letters and commits offsets only after the handler resolved. (Nest's built-in
 * Kafka transport commits on its own schedule and swallows handler errors, which would lose messages.)
 */
export class KafkaConsumerTransport extends Server implements CustomTransportStrategy {
  private runner: ConsumerRunner | undefined;

  constructor(private readonly options: KafkaConsumerTransportOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    const topics = [...this.messageHandlers.keys()];
    const unknown = topics.filter((topic) => !isTopic(topic));
    if (unknown.length > 0) {
      callback(new Error(`@EventPattern on unknown topics: ${unknown.join(', ')}`));
      return;
    }
    try {
      this.runner = this.createRunner(topics as Topic[], this.batchTopics());
    } catch (error) {
      callback(error);
      return;
    }
    this.runner.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    await this.runner?.stop();
  }

  /** Readiness: the member is in its consumer group. */
  membership(): { joined: boolean; error?: string } {
    return this.runner?.status() ?? { joined: false, error: 'not started' };
  }

  /** The Kafka topics the group reads, retry tiers included; none before `listen`. */
  subscribedTopics(): string[] {
    return this.runner?.subscribedTopics() ?? [];
  }

  on(): never {
    throw new Error('KafkaConsumerTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.runner as T;
  }

  private createRunner(topics: Topic[], batchTopics: BatchTopicOptions[]): ConsumerRunner {
    return new ConsumerRunner({
      kafka: this.options.kafka,
      groupId: this.options.groupId,
      stage: this.options.stage,
      topics,
      publisher: this.options.publisher,
      logger: this.options.logger,
      retryPolicy: this.options.retryPolicy,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      maxBytesPerPartition: this.options.maxBytesPerPartition,
      fetchMinBytes: this.options.fetchMinBytes,
      fetchMaxWaitMs: this.options.fetchMaxWaitMs,
      startFrom: this.options.startFrom,
      observer: this.options.observer,
      topicNames: this.options.topicNames,
      dispatch: (event) => this.dispatch(event),
      batch: { topics: batchTopics, dispatch: (batch) => this.dispatchBatch(batch) },
    });
  }

  /** The topics with `@KafkaBatchPattern` handlers and their batch sizes; throws for a topic declared both ways. */
  private batchTopics(): BatchTopicOptions[] {
    const batchTopics: BatchTopicOptions[] = [];
    for (const [topic, head] of this.messageHandlers) {
      const declared = handlerChain(head).map(batchOptionsOf);
      const batched = declared.filter((options) => options !== undefined);
      if (batched.length === 0) continue;
      if (batched.length < declared.length) {
        throw new Error(
          `${topic} has both @KafkaBatchPattern and @EventPattern handlers: a topic is consumed either in batches or one message at a time`,
        );
      }
      const sizes = batched.map(
        (options) => options.maxBatchSize ?? this.options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
      );
      batchTopics.push({ topic: topic as Topic, maxBatchSize: Math.min(...sizes) });
    }
    return batchTopics;
  }

  /**
   * One attempt at one message, in a CONSUMER span whose parent is the producer's span (the message's
   * `traceparent`): what the handler publishes carries this span's context on.
   */
  private async dispatch(event: ConsumedEvent): Promise<void> {
    const handler = this.getHandlerByPattern(event.topic);
    if (!handler) throw new PermanentError('NO_HANDLER', `no handler for ${event.topic}`);
    const handle = async () => {
      const result: unknown = await handler(event.payload, new KafkaEventContext(event));
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    };
    // Off, not even the attributes are built.
    if (!tracingEnabled()) return handle();
    await inSpan(
      `process ${event.topic}`,
      { kind: SpanKind.CONSUMER, parent: event.metadata.traceParent, attributes: this.spanAttributes(event) },
      handle,
    );
  }

  /**
   * One attempt at a chunk. Its events usually belong to as many traces as there are articles, so each
   * gets its own CONSUMER span, child of its producer's span and spanning the chunk's handling (one
   * transaction): each article's trace shows where it was stored and how long that took. (One span for
   * the chunk with links to the events would leave every article's trace without its storage step.)
   * None of them is active (each article's work belongs under its own); the handler finds each one's
   * `traceparent` in its context (`KafkaBatchContext.traceParentOf`).
   */
  private async dispatchBatch(batch: ConsumedBatch): Promise<void> {
    const handler = this.getHandlerByPattern(batch.topic);
    if (!handler) throw new PermanentError('NO_HANDLER', `no handler for ${batch.topic}`);
    const spans = tracingEnabled()
      ? batch.events.map((event) =>
          startSpan(`process ${batch.topic}`, {
            kind: SpanKind.CONSUMER,
            parent: event.metadata.traceParent,
            attributes: {
              ...this.spanAttributes(event),
              'messaging.batch.message_count': batch.events.length,
            },
          }),
        )
      : [];
    try {
      const context = new KafkaBatchContext(
        batch,
        spans.map((span) => traceParentOf(span)),
      );
      const result: unknown = await handler(batch.events, context);
      await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
    } catch (error) {
      for (const span of spans) recordFailure(span, error);
      throw error;
    } finally {
      for (const span of spans) span.end();
    }
  }

  /** OpenTelemetry's messaging attributes for Kafka, plus the runtime's attempt count. */
  private spanAttributes(event: ConsumedEvent) {
    return {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': event.topic,
      'messaging.destination.partition.id': String(event.partition),
      'messaging.consumer.group.name': this.options.groupId,
      'messaging.kafka.offset': Number(event.offset),
      'messaging.message.id': event.metadata.id,
      ...(event.key === null ? {} : { 'messaging.kafka.message.key': event.key }),
      'newsflow.attempt': event.attempt,
    };
  }
}

/** Nest chains several handlers of one pattern through `next`; every one of them was declared on its own. */
function handlerChain(head: MessageHandler): MessageHandler[] {
  const chain: MessageHandler[] = [];
  for (
    let handler: MessageHandler | undefined = head;
    handler;
    handler = handler.next as MessageHandler | undefined
  ) {
    chain.push(handler);
  }
  return chain;
}

/**
 * Nest's default RPC exception filter replaces every error with a generic one; this filter hands the
 * original error back, so the runtime can classify it (retry or dead-letter) with its real code.
 */
@Catch()
export class RethrowRpcErrorsFilter implements RpcExceptionFilter {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * Marks a class of `@EventPattern` handlers. Filters must sit on the handlers themselves: a hybrid app's
 * microservice is initialized at once, so it takes no global filters of its own.
 */
export const KafkaEventController = (): ClassDecorator =>
  applyDecorators(Controller(), UseFilters(new RethrowRpcErrorsFilter()));

/** Attaches the Kafka consumer to a hybrid (HTTP + Kafka) Nest application. */
export function connectKafkaConsumer(app: INestApplication, transport: KafkaConsumerTransport): void {
  app.connectMicroservice({ strategy: transport }, { inheritAppConfig: false });
}
