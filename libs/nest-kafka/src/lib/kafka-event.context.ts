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
  constructor(batch: ConsumedBatch) {
    super([batch]);
  }

  get batch(): ConsumedBatch {
    return this.getArgByIndex(0);
  }
}
