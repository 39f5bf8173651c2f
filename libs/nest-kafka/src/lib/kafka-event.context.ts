import { BaseRpcContext } from '@nestjs/microservices';

import { type ConsumedBatch, type ConsumedEvent } from '@newsflow/kafka';

/** What `@Ctx()` gives a Kafka event handler: the consumed event with its metadata and heartbeat. */
export class KafkaEventContext extends BaseRpcContext<[ConsumedEvent]> {
  constructor(event: ConsumedEvent) {
    super([event]);
  }

  get event(): ConsumedEvent {
    return this.getArgByIndex(0);
  }
}

/** What `@Ctx()` gives a `@KafkaBatchPattern` handler: the batch with its partition, attempt and heartbeat. */
export class KafkaBatchContext extends BaseRpcContext<[ConsumedBatch]> {
  constructor(
    batch: ConsumedBatch,
    private readonly consumerSpans: readonly (string | undefined)[] = [],
  ) {
    super([batch]);
  }

  get batch(): ConsumedBatch {
    return this.getArgByIndex(0);
  }

  /**
   * The `traceparent` of the CONSUMER span of the batch's `index`-th event (undefined while tracing is
   * off). None of those spans is active: a handler that does or publishes something about one event
   * alone parents it here (`inSpan`'s `parent`, a publish request's `traceParent`), so it stays in that
   * event's trace under its consumer span.
   */
  traceParentOf(index: number): string | undefined {
    return this.consumerSpans[index];
  }
}
