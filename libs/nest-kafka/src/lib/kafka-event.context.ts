import { BaseRpcContext } from '@nestjs/microservices';

import { type ConsumedEvent } from '@newsflow/kafka';

/** What `@Ctx()` gives a Kafka event handler: the consumed event with its metadata and heartbeat. */
export class KafkaEventContext extends BaseRpcContext<[ConsumedEvent]> {
  constructor(event: ConsumedEvent) {
    super([event]);
  }

  get event(): ConsumedEvent {
    return this.getArgByIndex(0);
  }
}
