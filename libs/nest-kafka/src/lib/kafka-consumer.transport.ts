import {
  Catch,
  Controller,
  type INestApplication,
  type RpcExceptionFilter,
  UseFilters,
  applyDecorators,
} from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { type Kafka } from 'kafkajs';
import { lastValueFrom, type Observable, throwError } from 'rxjs';

import { type Topic, isTopic } from '@newsflow/contracts';
import {
  type ConsumedEvent,
  ConsumerRunner,
  type ConsumerObserver,
  type EventPublisher,
  PermanentError,
  type RetryPolicy,
  type RuntimeLogger,
} from '@newsflow/kafka';

import { KafkaEventContext } from './kafka-event.context';

export interface KafkaConsumerTransportOptions {
  kafka: Kafka;
  groupId: string;
  stage: string;
  publisher: EventPublisher;
  logger: RuntimeLogger;
  retryPolicy: RetryPolicy;
  partitionsConsumedConcurrently?: number;
  startFrom?: 'earliest' | 'latest';
  observer?: ConsumerObserver;
}

/**
 * A Nest microservice transport over the Newsflow consumer runtime. Handlers are ordinary
 * `@EventPattern(Topic.X)` methods; the runtime validates payloads, retries, dead-letters and commits
 * offsets only after the handler resolved. (Nest's built-in Kafka transport commits on its own schedule
 * and swallows handler errors, which would lose messages.)
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
    this.runner = new ConsumerRunner({
      kafka: this.options.kafka,
      groupId: this.options.groupId,
      stage: this.options.stage,
      topics: topics as Topic[],
      publisher: this.options.publisher,
      logger: this.options.logger,
      retryPolicy: this.options.retryPolicy,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      startFrom: this.options.startFrom,
      observer: this.options.observer,
      dispatch: (event) => this.dispatch(event),
    });
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

  on(): never {
    throw new Error('KafkaConsumerTransport has no events to listen to');
  }

  unwrap<T>(): T {
    return this.runner as T;
  }

  private async dispatch(event: ConsumedEvent): Promise<void> {
    const handler = this.getHandlerByPattern(event.topic);
    if (!handler) throw new PermanentError('NO_HANDLER', `no handler for ${event.topic}`);
    const result: unknown = await handler(event.payload, new KafkaEventContext(event));
    await lastValueFrom(this.transformToObservable(result), { defaultValue: undefined });
  }
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
