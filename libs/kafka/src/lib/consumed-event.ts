import { type EventMetadata, type PayloadOf, type Topic } from '@newsflow/contracts';

/** What a handler receives: the validated payload plus where it came from and how to stay alive. */
export interface ConsumedEvent<T extends Topic = Topic> {
  topic: T;
  partition: number;
  offset: string;
  key: string | null;
  payload: PayloadOf<T>;
  metadata: EventMetadata;
  /** 1 on first delivery; higher when the runtime retries after a failure. */
  attempt: number;
  /** Tells the group coordinator this consumer is alive; call it inside long loops. */
  heartbeat(): Promise<void>;
}

export type EventDispatcher = (event: ConsumedEvent) => Promise<void>;

export type ConsumeOutcome = 'success' | 'retried' | 'dead_lettered';

/** Hooks for metrics, kept as callbacks so the runtime does not depend on a metrics library. */
export interface ConsumerObserver {
  onOutcome(input: { topic: string; outcome: ConsumeOutcome; code?: string; durationSeconds: number }): void;
}
