import { setTimeout as sleep } from 'node:timers/promises';

import { type Consumer, type EachMessagePayload, type Kafka } from 'kafkajs';

import { type Topic, contractOf, fromHeaders } from '@newsflow/contracts';

import { type ConsumedEvent, type ConsumerObserver, type EventDispatcher } from './consumed-event';
import { sendToDeadLetterTopic } from './dead-letter';
import { type ClassifiedError, PermanentError, classifyError } from './errors';
import { type RuntimeLogger } from './logger';
import { type EventPublisher } from './publisher';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, backoffMs } from './retry-policy';

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  /** Pipeline stage name (ingestion, enrichment, ...), recorded on dead letters and metrics. */
  stage: string;
  topics: readonly Topic[];
  dispatch: EventDispatcher;
  /** Publishes dead letters; shared with the service's own publishing. */
  publisher: EventPublisher;
  logger: RuntimeLogger;
  retryPolicy?: RetryPolicy;
  partitionsConsumedConcurrently?: number;
  /** Where a group without committed offsets starts; the default reads everything already on the topic. */
  startFrom?: 'earliest' | 'latest';
  observer?: ConsumerObserver;
}

/** Raised inside the retry loop when the service shuts down: the message stays uncommitted. */
class ShutdownInterruption extends Error {}

/** kafkajs only heartbeats between messages; a slow handler must keep the membership alive itself. */
const PACEMAKER_INTERVAL_MS = 2_000;

/**
 * Runs one consumer group member: decode, validate against the topic's contract, dispatch, then commit
 * the offset — only after the handler's side effect is done or the message is safely dead-lettered.
 * Nothing is committed silently: a message that cannot be decoded, validated or handled ends on the
 * dead-letter topic with its context.
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly retryPolicy: RetryPolicy;
  private stopping = false;
  private joined = false;
  private crashed: Error | undefined;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      // An idle fetch waits this long for data; it also bounds how long stop() waits for the fetch.
      maxWaitTimeInMs: 1_000,
    });
    const { GROUP_JOIN, CRASH, DISCONNECT } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, () => {
      this.joined = true;
      this.crashed = undefined;
    });
    this.consumer.on(CRASH, (event) => {
      this.joined = false;
      this.crashed = event.payload.error;
      options.logger.error(
        { err: event.payload.error, groupId: options.groupId, restart: event.payload.restart },
        'Kafka consumer crashed',
      );
    });
    this.consumer.on(DISCONNECT, () => {
      this.joined = false;
    });
  }

  /** Whether the member is in its group; what readiness checks report. */
  status(): { joined: boolean; error?: string } {
    return { joined: this.joined, error: this.crashed?.message };
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: (this.options.startFrom ?? 'earliest') === 'earliest',
    });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 3,
      eachMessage: (payload) => this.processMessage(payload),
    });
    this.options.logger.info({ topics: this.options.topics }, 'Kafka consumer started');
  }

  /** Stops fetching, lets in-flight messages finish (or abandons their retries uncommitted), leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer.disconnect();
    this.options.logger.info({}, 'Kafka consumer stopped');
  }

  private async processMessage({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const started = process.hrtime.bigint();
    const outcome = await this.handleWithRetries({ topic, partition, message, heartbeat });
    if (outcome === 'interrupted') return;
    await this.consumer.commitOffsets([
      { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
    ]);
    this.options.observer?.onOutcome({
      topic,
      outcome: outcome.deadLettered ? 'dead_lettered' : 'success',
      code: outcome.deadLettered?.code,
      durationSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    });
  }

  private async handleWithRetries(
    payload: Pick<EachMessagePayload, 'topic' | 'partition' | 'message' | 'heartbeat'>,
  ): Promise<{ deadLettered?: ClassifiedError } | 'interrupted'> {
    const { topic, partition, message, heartbeat } = payload;
    const firstFailureAt = new Date();
    for (let attempt = 1; ; attempt++) {
      try {
        const event = this.decode(payload, attempt);
        await this.withPacemaker(heartbeat, () => this.options.dispatch(event));
        return {};
      } catch (error) {
        const classified = classifyError(error);
        const context = { topic, partition, offset: message.offset, attempt, error: classified };
        if (classified.retryable && attempt < this.retryPolicy.maxAttempts && !this.stopping) {
          this.options.logger.warn(context, 'message failed, will retry');
          this.options.observer?.onOutcome({
            topic,
            outcome: 'retried',
            code: classified.code,
            durationSeconds: 0,
          });
          try {
            await this.waitBeforeRetry(attempt, heartbeat);
          } catch (interruption) {
            if (interruption instanceof ShutdownInterruption) return 'interrupted';
            throw interruption;
          }
          continue;
        }
        if (this.stopping && classified.retryable) {
          // Shutting down: leave the message uncommitted for the next owner of the partition.
          return 'interrupted';
        }
        this.options.logger.error(context, 'message failed for good, sending it to the dead-letter topic');
        await sendToDeadLetterTopic(this.options.publisher, {
          stage: this.options.stage,
          consumerGroup: this.options.groupId,
          topic,
          partition,
          message,
          error: classified,
          attempts: attempt,
          firstFailureAt,
          lastFailureAt: new Date(),
        });
        return { deadLettered: classified };
      }
    }
  }

  private decode(
    {
      topic,
      partition,
      message,
      heartbeat,
    }: Pick<EachMessagePayload, 'topic' | 'partition' | 'message' | 'heartbeat'>,
    attempt: number,
  ): ConsumedEvent {
    if (!this.options.topics.includes(topic as Topic)) {
      throw new PermanentError('NO_HANDLER', `no handler for topic ${topic}`);
    }
    const contract = contractOf(topic as Topic);
    let json: unknown;
    try {
      json = JSON.parse(message.value?.toString('utf8') ?? '');
    } catch (error) {
      throw new PermanentError('MALFORMED_JSON', `message value is not JSON: ${(error as Error).message}`);
    }
    const result = contract.schema.safeParse(json);
    if (!result.success) {
      throw new PermanentError(
        'VALIDATION_FAILED',
        `payload does not match ${topic}: ${result.error.issues
          .slice(0, 5)
          .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
          .join('; ')}`,
      );
    }
    return {
      topic: topic as Topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      payload: result.data,
      metadata: fromHeaders(message.headers),
      attempt,
      heartbeat,
    } as ConsumedEvent;
  }

  private async withPacemaker<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const timer = setInterval(() => {
      heartbeat().catch((error: unknown) =>
        this.options.logger.debug({ err: error }, 'heartbeat during a long handler failed'),
      );
    }, PACEMAKER_INTERVAL_MS);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private async waitBeforeRetry(failedAttempt: number, heartbeat: () => Promise<void>): Promise<void> {
    const deadline = Date.now() + backoffMs(this.retryPolicy, failedAttempt);
    while (Date.now() < deadline) {
      if (this.stopping) throw new ShutdownInterruption();
      await heartbeat().catch(() => undefined);
      await sleep(Math.min(PACEMAKER_INTERVAL_MS, Math.max(0, deadline - Date.now())));
    }
  }
}
