import { EventPattern, type MessageHandler } from '@nestjs/microservices';

import { type Topic } from '@newsflow/contracts';

export interface KafkaBatchPatternOptions {
  /** The most events one call receives; the transport's `maxBatchSize` when not given. */
  maxBatchSize?: number;
}

/** Where the batch options travel: Nest keeps an `@EventPattern`'s extras on the registered handler. */
const BATCH_EXTRA = 'newsflowKafkaBatch';

/**
 * Declares a batch handler for a topic: it receives the valid events of a chunk of one partition as
 * `@Payload() events: ConsumedEvent<T>[]` (in offset order) and `@Ctx() context: KafkaBatchContext`, and
 * should handle them as one unit (one transaction). Offsets are committed after it resolves. A topic is
 * consumed either in batches or one message at a time: the transport refuses both kinds of handler
 * for one topic.
 */
export function KafkaBatchPattern(topic: Topic, options: KafkaBatchPatternOptions = {}): MethodDecorator {
  return EventPattern(topic, { [BATCH_EXTRA]: { ...options } });
}

/** The batch options a registered handler was declared with; undefined for an `@EventPattern` one. */
export function batchOptionsOf(handler: MessageHandler): KafkaBatchPatternOptions | undefined {
  const options: unknown = handler.extras?.[BATCH_EXTRA];
  return typeof options === 'object' && options !== null ? (options as KafkaBatchPatternOptions) : undefined;
}
