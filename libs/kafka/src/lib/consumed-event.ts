import { type EventMetadata, type PayloadOf, type Topic } from '@newsflow/contracts';

/** What a handler receives: the validated payload plus where it came from and how to stay alive. */
export interface ConsumedEvent<T extends Topic = Topic> {
  topic: T;
  partition: number;
  offset: string;
  key: string | null;
  payload: PayloadOf<T>;
  metadata: EventMetadata;
  /**
   * 1 on first delivery; higher when the runtime retries after a failure, counting on over the retry
   * topics (where the event comes back with its original topic, partition, offset and headers).
   */
  attempt: number;
  /** Tells the group coordinator this consumer is alive; call it inside long loops. */
  heartbeat(): Promise<void>;
}

export type EventDispatcher = (event: ConsumedEvent) => Promise<void>;

/**
 * What a batch handler receives: the valid events of one chunk of a fetched partition batch, in offset
 * order, to be handled as one unit (one transaction). Messages that failed validation are not in it;
 * they go to the dead-letter topic on their own.
 */
export interface ConsumedBatch<T extends Topic = Topic> {
  topic: T;
  partition: number;
  events: ConsumedEvent<T>[];
  /**
   * 1 on the first call with these events; higher when the whole batch is retried. When the runtime
   * falls back to one event per call, the count goes on from the batch's attempts.
   */
  attempt: number;
  /** Tells the group coordinator this consumer is alive; call it inside long loops. */
  heartbeat(): Promise<void>;
}

export type BatchDispatcher = (batch: ConsumedBatch) => Promise<void>;

export type ConsumeOutcome = 'success' | 'retried' | 'dead_lettered';

/** Hooks for metrics, kept as callbacks so the runtime does not depend on a metrics library. */
export interface ConsumerObserver {
  /**
   * Once per message (and once per retry, in place or through a retry topic; a message sent to a retry
   * topic reports its final outcome when it is read from there). In batch mode a message's duration is its share of the
   * chunk's: the chunk's time divided by its size, so the sum over messages is the time spent.
   */
  onOutcome(input: { topic: string; outcome: ConsumeOutcome; code?: string; durationSeconds: number }): void;
  /** Once per chunk consumed in batch mode, after its offsets are committed: batch sizes and times. */
  onBatch?(input: BatchReport): void;
}

export interface BatchReport {
  topic: string;
  /** Messages in the chunk, valid or not. */
  size: number;
  /** Of those, how many ended on the dead-letter topic (invalid, or failed on their own). */
  deadLettered: number;
  /** Of those, how many went to the group's first retry topic (the batch kept failing transiently). */
  retryScheduled: number;
  /** Whether the batch handler failed for good and the chunk was handled one message at a time. */
  fellBackToSingle: boolean;
  durationSeconds: number;
}
