import { type Consumer, type EachBatchPayload, type Kafka, type KafkaMessage } from 'kafkajs';

import { Topic } from '@newsflow/contracts';

import { BatchCoalescer } from './batch-coalescer';
import { chunksOf, offsetAfter } from './chunks';
import { type ChunkResult, processChunk } from './chunk-processor';
import { type BatchDispatcher, type ConsumerObserver, type EventDispatcher } from './consumed-event';
import { type ClassifiedError, classifyError } from './errors';
import { type RuntimeLogger } from './logger';
import { processMessage } from './message-processor';
import { type PartitionControl } from './partition-control';
import { type ProcessingContext, settleFailure } from './processing-context';
import { type EventPublisher } from './publisher';
import { DEFAULT_RETRY_POLICY, type RetryPolicy, validateRetryPolicy } from './retry-policy';
import {
  type DeliveryHistory,
  type RetryTier,
  firstDelivery,
  parseRetryRecord,
  retryTiersOf,
} from './retry-topics';
import { ensureRetryTopics } from './topics-admin';

export interface BatchTopicOptions {
  topic: Topic;
  /** The most messages one call of the batch handler receives; a fetched batch is cut into chunks of this size. */
  maxBatchSize: number;
}

/** Topics consumed in batches: each chunk of a fetched partition batch goes to `dispatch` in one call. */
export interface BatchConsumptionOptions {
  topics: readonly BatchTopicOptions[];
  dispatch: BatchDispatcher;
}

export interface ConsumerRunnerOptions {
  kafka: Kafka;
  groupId: string;
  /** Pipeline stage name (ingestion, enrichment, ...), recorded on dead letters and metrics. */
  stage: string;
  /** Every topic the group consumes. Those not named in `batch` are consumed one message at a time. */
  topics: readonly Topic[];
  /** The handler of the topics consumed one message at a time. */
  dispatch: EventDispatcher;
  /** Topics (among `topics`) consumed in batches, and their handler. */
  batch?: BatchConsumptionOptions;
  /**
   * The Kafka topic a contract topic is read from, when it is not the contract's own name (an
   * environment's prefix, a test's private topic). Payloads are still validated against the contract,
   * handlers still see the contract topic, and dead letters name the topic actually read.
   */
  topicNames?: Partial<Record<Topic, string>>;
  /** Where dead letters go; default `news.dlq.v1` (another name for a prefix or a test's private topic). */
  deadLetterTopic?: string;
  /** Publishes dead letters and retries; shared with the service's own publishing. */
  publisher: EventPublisher;
  logger: RuntimeLogger;
  /** Retries in place, then (with `retryTopicDelaysMs`) through the group's retry topics. */
  retryPolicy?: RetryPolicy;
  partitionsConsumedConcurrently?: number;
  /**
   * Most bytes one fetch takes from a partition (default kafkajs's 1 MiB). A batch handler gets at most
   * one fetched partition batch per call, so this bounds the chunk size in bytes: it must hold
   * `maxBatchSize` messages for chunks to reach that size.
   */
  maxBytesPerPartition?: number;
  /**
   * A fetch returns once this many bytes are there, or after fetchMaxWaitMs (defaults
   * DEFAULT_FETCH_MIN_BYTES and DEFAULT_FETCH_MAX_WAIT_MS).
   */
  fetchMinBytes?: number;
  fetchMaxWaitMs?: number;
  /** Where a group without committed offsets starts; the default reads everything already on the topic. */
  startFrom?: 'earliest' | 'latest';
  /**
   * How long the group waits for a member that stopped heartbeating before handing its partitions to
   * others (default 30 s): a crashed member's work resumes elsewhere after this long.
   */
  sessionTimeoutMs?: number;
  observer?: ConsumerObserver;
}

/**
 * Runs one consumer group member: decode, validate against the topic's contract, dispatch, then commit
 * the offset — only after the handler's side effect is done, or the message is safely on a retry topic
 * or the dead-letter topic (acknowledged by Kafka). Nothing is committed silently: a message that cannot
 * be decoded, validated or handled ends on the dead-letter topic with its context.
 *
 * Transient failures are retried in place a few times; then, when the policy has retry topic delays,
 * the message goes to the group's first retry topic and its partition flows on. The member reads its
 * retry topics too: a partition whose first message is not due yet is paused until it is (the member
 * keeps heartbeating and serving its other partitions), then the message is handled again one at a
 * time; still failing, it moves to the next tier, and after the last one to the dead-letter topic.
 *
 * Every fetched partition batch comes through kafkajs `eachBatch` with nothing resolved automatically.
 * Topics consumed one message at a time are handled and committed message by message; batch topics
 * chunk by chunk (see processChunk). Between messages and chunks the member heartbeats and checks
 * whether it is stopping, so a shutdown or a lost partition leaves only uncommitted work behind.
 */
export class ConsumerRunner {
  private readonly consumer: Consumer;
  private readonly context: ProcessingContext;
  /** Kafka topic name → the contract its messages are validated against. */
  private readonly contractTopicByName: ReadonlyMap<string, Topic>;
  private readonly maxBatchSizeByTopic: ReadonlyMap<Topic, number>;
  private readonly retryTiers: readonly RetryTier[];
  private readonly retryTierByTopic: ReadonlyMap<string, RetryTier>;
  /** Timers that resume retry partitions paused until their first message is due. */
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  /** Offset commits of the partitions handled at the same moment, sent as one request (see commitThrough). */
  private readonly commits = new BatchCoalescer<PendingCommit>((pending) => commitTogether(pending), {
    maxItems: MAX_OFFSETS_PER_COMMIT,
  });
  private stopping = false;
  private joined = false;
  private crashed: Error | undefined;

  constructor(private readonly options: ConsumerRunnerOptions) {
    const retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    validateRetryPolicy(retryPolicy);
    this.retryTiers = retryTiersOf(options.groupId, retryPolicy.retryTopicDelaysMs ?? []);
    this.retryTierByTopic = new Map(this.retryTiers.map((tier) => [tier.topic, tier] as const));
    this.context = {
      stage: options.stage,
      groupId: options.groupId,
      publisher: options.publisher,
      logger: options.logger,
      retryPolicy,
      retryTiers: this.retryTiers,
      deadLetterTopic: options.deadLetterTopic ?? Topic.DeadLetterV1,
      observer: options.observer,
    };
    this.contractTopicByName = new Map(
      options.topics.map((topic) => [options.topicNames?.[topic] ?? topic, topic] as const),
    );
    this.maxBatchSizeByTopic = batchSizes(options);
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      // Well within the session timeout, so one lost heartbeat costs nothing.
      heartbeatInterval: Math.min(
        3_000,
        Math.floor((options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS) / 3),
      ),
      ...fetchSizes(options),
      ...fetchWaits(options),
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

  /**
   * Every Kafka topic the member reads: the contract topics under their Kafka names, then the group's
   * retry tiers. What the lag of the group is measured on.
   */
  subscribedTopics(): string[] {
    return [...this.contractTopicByName.keys(), ...this.retryTiers.map((tier) => tier.topic)];
  }

  async start(): Promise<void> {
    const retryTopics = this.retryTiers.map((tier) => tier.topic);
    if (retryTopics.length > 0) {
      await ensureRetryTopics(this.options.kafka, {
        topics: retryTopics,
        sourceTopics: [...this.contractTopicByName.keys()],
        create: this.context.retryPolicy.createRetryTopics ?? true,
        logger: this.options.logger,
      });
    }
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.contractTopicByName.keys()],
      fromBeginning: (this.options.startFrom ?? 'earliest') === 'earliest',
    });
    // Whatever the start position of the topics, a retry topic is always read from its beginning:
    // a new group (or one whose offsets expired) must not skip the retries waiting there.
    if (retryTopics.length > 0) await this.consumer.subscribe({ topics: retryTopics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      // Offsets are resolved (and committed) by processFetchedBatch only once their work is done.
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently:
        this.options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY,
      eachBatch: (payload) => this.processFetchedBatch(payload),
    });
    this.options.logger.info(
      {
        topics: this.options.topics,
        batchTopics: [...this.maxBatchSizeByTopic.keys()],
        retryTopics: this.retryTiers.map(({ topic, delayMs }) => `${topic} (${delayMs} ms)`),
      },
      'Kafka consumer started',
    );
  }

  /** Stops fetching, lets in-flight work finish (or abandons its retries uncommitted), leaves the group. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    await this.consumer.disconnect();
    this.options.logger.info({}, 'Kafka consumer stopped');
  }

  private async processFetchedBatch(payload: EachBatchPayload): Promise<void> {
    const contractTopic = this.contractTopicByName.get(payload.batch.topic);
    const control: PartitionControl = {
      heartbeat: () => payload.heartbeat(),
      shouldStop: () => this.stopping || !payload.isRunning() || payload.isStale(),
    };
    const retryTier = this.retryTierByTopic.get(payload.batch.topic);
    if (retryTier !== undefined) {
      await this.consumeRetryTier(payload, control, retryTier);
      return;
    }
    const maxBatchSize =
      contractTopic === undefined ? undefined : this.maxBatchSizeByTopic.get(contractTopic);
    const batchDispatch = this.options.batch?.dispatch;
    if (contractTopic !== undefined && maxBatchSize !== undefined && batchDispatch !== undefined) {
      await this.consumeInChunks(payload, control, { contractTopic, maxBatchSize, dispatch: batchDispatch });
    } else {
      await this.consumeOneByOne(payload, control, contractTopic);
    }
  }

  private async consumeOneByOne(
    payload: EachBatchPayload,
    control: PartitionControl,
    contractTopic: Topic | undefined,
  ): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    for (const message of messages) {
      if (control.shouldStop()) return;
      const history = firstDelivery(topic, partition, message);
      if (!(await this.handleOne(payload, control, { message, contractTopic, history }))) return;
    }
  }

  /**
   * A partition of a retry topic: each message is handled once it is due, as the original event. When
   * the first one is not due yet, the partition is paused until it is: its messages are in the order
   * they failed, with the same delay, so none behind it is due earlier. (Waiting inside eachBatch would
   * hold up the member's other partitions and outlast the session timeout.)
   */
  private async consumeRetryTier(
    payload: EachBatchPayload,
    control: PartitionControl,
    tier: RetryTier,
  ): Promise<void> {
    for (const message of payload.batch.messages) {
      if (control.shouldStop()) return;
      let history: DeliveryHistory;
      let dueAt: Date;
      try {
        ({ history, dueAt } = parseRetryRecord(message, tier.tier));
      } catch (error) {
        await this.settleUnroutable(payload, message, tier, classifyError(error));
        continue;
      }
      // A due time further off than the tier's delay (a clock ahead, a hand-made record) waits the delay.
      const waitMs = Math.min(dueAt.getTime() - Date.now(), tier.delayMs);
      if (waitMs > 0) {
        await this.pauseUntilDue(payload, message, waitMs);
        return;
      }
      const contractTopic = this.contractTopicByName.get(history.origin.topic);
      if (!(await this.handleOne(payload, control, { message, contractTopic, history }))) return;
    }
  }

  /**
   * Handles one message (from its topic or a retry topic) and commits past it. False when the consumer
   * is stopping and the message was left uncommitted.
   */
  private async handleOne(
    payload: EachBatchPayload,
    control: PartitionControl,
    input: { message: KafkaMessage; contractTopic: Topic | undefined; history: DeliveryHistory },
  ): Promise<boolean> {
    const started = process.hrtime.bigint();
    const outcome = await processMessage(this.context, {
      ...input,
      control,
      dispatch: this.dispatcherFor(input.contractTopic),
    });
    if (outcome === 'interrupted') return false;
    await this.commitThrough(payload, input.message);
    // A message sent to a retry topic was counted as a retry; its outcome comes when it is done.
    if (!outcome.retryScheduled) {
      this.options.observer?.onOutcome({
        topic: input.history.origin.topic,
        outcome: outcome.deadLettered ? 'dead_lettered' : 'success',
        code: outcome.deadLettered?.code,
        durationSeconds: secondsSince(started),
      });
    }
    await payload.heartbeat();
    return true;
  }

  /**
   * How one event of a contract topic reaches its handler. A topic consumed in batches has only a batch
   * handler: a retried event goes to it as a batch of one.
   */
  private dispatcherFor(contractTopic: Topic | undefined): EventDispatcher {
    const batchDispatch = this.options.batch?.dispatch;
    if (
      contractTopic === undefined ||
      batchDispatch === undefined ||
      !this.maxBatchSizeByTopic.has(contractTopic)
    ) {
      return this.options.dispatch;
    }
    return (event) =>
      batchDispatch({
        topic: event.topic,
        partition: event.partition,
        events: [event],
        attempt: event.attempt,
        heartbeat: event.heartbeat,
      });
  }

  /** A record on a retry topic without its retry headers cannot go back: it is dead-lettered as it is. */
  private async settleUnroutable(
    payload: EachBatchPayload,
    message: KafkaMessage,
    tier: RetryTier,
    error: ClassifiedError,
  ): Promise<void> {
    const { topic, partition } = payload.batch;
    await settleFailure(this.context, {
      message,
      history: { ...firstDelivery(topic, partition, message), tier: tier.tier },
      error: { ...error, retryable: false },
      attempts: 0,
      firstFailureAt: new Date(),
    });
    await this.commitThrough(payload, message);
    this.options.observer?.onOutcome({
      topic,
      outcome: 'dead_lettered',
      code: error.code,
      durationSeconds: 0,
    });
  }

  /**
   * Pauses a retry partition until its first message is due. The offset before that message is
   * committed first, so the group's lag on the retry topic shows what waits there (a group that never
   * committed on a partition has no lag to report on it).
   */
  private async pauseUntilDue(payload: EachBatchPayload, head: KafkaMessage, waitMs: number): Promise<void> {
    const { topic, partition } = payload.batch;
    await payload.commitOffsetsIfNecessary({
      topics: [{ topic, partitions: [{ partition, offset: head.offset }] }],
    });
    const resume = payload.pause();
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      resume();
    }, waitMs);
    // The consumer keeps the process alive while it runs; a pending resume must not once it is gone.
    timer.unref();
    this.resumeTimers.add(timer);
    this.options.logger.debug(
      { topic, partition, offset: head.offset, waitMs },
      'retry partition paused until due',
    );
  }

  private async consumeInChunks(
    payload: EachBatchPayload,
    control: PartitionControl,
    batch: { contractTopic: Topic; maxBatchSize: number; dispatch: BatchDispatcher },
  ): Promise<void> {
    const { topic, partition, messages } = payload.batch;
    for (const chunk of chunksOf(messages, batch.maxBatchSize)) {
      const last = chunk[chunk.length - 1];
      if (control.shouldStop() || last === undefined) return;
      const started = process.hrtime.bigint();
      const result = await processChunk(this.context, {
        topic,
        contractTopic: batch.contractTopic,
        partition,
        messages: chunk,
        control,
        dispatch: batch.dispatch,
      });
      if (result === 'interrupted') return;
      await this.commitThrough(payload, last);
      this.reportChunk(topic, result, secondsSince(started));
      await payload.heartbeat();
    }
  }

  /**
   * Commits past `message`, then moves the fetch position there. Committed through the batch payload,
   * not consumer.commitOffsets: that one silently skips the commit once the consumer is stopping, and
   * work finished during a shutdown would then be done again by the next member. The partitions handled
   * at the same moment commit together: one request for all of them instead of one per chunk, which at
   * a steady trickle was a good part of the broker's work. Each still waits for its own commit.
   */
  private async commitThrough(payload: EachBatchPayload, message: KafkaMessage): Promise<void> {
    const { topic, partition } = payload.batch;
    await this.commits.submit([{ payload, topic, partition, offset: offsetAfter(message.offset) }]);
    payload.resolveOffset(message.offset);
  }

  private reportChunk(topic: string, result: ChunkResult, durationSeconds: number): void {
    const observer = this.options.observer;
    if (!observer) return;
    const perMessage = durationSeconds / result.size;
    for (let handled = 0; handled < result.handled; handled++) {
      observer.onOutcome({ topic, outcome: 'success', durationSeconds: perMessage });
    }
    for (const error of result.deadLettered) {
      observer.onOutcome({ topic, outcome: 'dead_lettered', code: error.code, durationSeconds: perMessage });
    }
    observer.onBatch?.({
      topic,
      size: result.size,
      deadLettered: result.deadLettered.length,
      retryScheduled: result.retryScheduled.length,
      fellBackToSingle: result.fellBackToSingle,
      durationSeconds,
    });
  }
}

/** Checks the batch options once, at construction: a typo should stop the service, not skip messages. */
function batchSizes(options: ConsumerRunnerOptions): ReadonlyMap<Topic, number> {
  const sizes = new Map<Topic, number>();
  for (const { topic, maxBatchSize } of options.batch?.topics ?? []) {
    if (!options.topics.includes(topic)) {
      throw new Error(`batch topic ${topic} is not among the consumer's topics`);
    }
    if (!Number.isInteger(maxBatchSize) || maxBatchSize < 1) {
      throw new Error(`maxBatchSize for ${topic} must be a positive integer, got ${maxBatchSize}`);
    }
    sizes.set(topic, maxBatchSize);
  }
  return sizes;
}

interface PendingCommit {
  payload: EachBatchPayload;
  topic: string;
  partition: number;
  /** The next offset to read, as Kafka commits it. */
  offset: string;
}

/** More than a member is ever assigned; a bound on one commit request all the same. */
const MAX_OFFSETS_PER_COMMIT = 1_000;

/**
 * One offset commit for several partitions. Every payload of a member commits through the same group,
 * so any of them can send it. A partition commits again only after its previous commit resolved, so
 * it appears at most once; the highest offset wins all the same.
 */
async function commitTogether(pending: readonly PendingCommit[]): Promise<void> {
  const first = pending[0];
  if (first === undefined) return;
  const byTopic = new Map<string, Map<number, string>>();
  for (const { topic, partition, offset } of pending) {
    const partitions = byTopic.get(topic) ?? new Map<number, string>();
    const known = partitions.get(partition);
    if (known === undefined || BigInt(offset) > BigInt(known)) partitions.set(partition, offset);
    byTopic.set(topic, partitions);
  }
  await first.payload.commitOffsetsIfNecessary({
    topics: [...byTopic].map(([topic, partitions]) => ({
      topic,
      partitions: [...partitions].map(([partition, offset]) => ({ partition, offset })),
    })),
  });
}

/** kafkajs's defaults: 1 MiB per partition, 10 MiB per fetch. */
const KAFKAJS_MAX_BYTES_PER_PARTITION = 1024 * 1024;
const KAFKAJS_MAX_BYTES = 10 * 1024 * 1024;
const DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY = 3;
const DEFAULT_SESSION_TIMEOUT_MS = 30_000;
/** About five enriched events or twenty ingested ones. */
export const DEFAULT_FETCH_MIN_BYTES = 64 * 1024;
/** As the services' KAFKA_FETCH_MAX_WAIT_MS (see there why 200). */
export const DEFAULT_FETCH_MAX_WAIT_MS = 200;

/**
 * How long a fetch waits for data. Returning as soon as there is any (Kafka's default) hands a consumer
 * that keeps up one or two messages per fetch, and each of them then costs a fetch, a handler call (a
 * transaction) and an offset commit: at 100 articles/s that made the broker the pipeline's biggest
 * consumer of CPU. Waiting for a few dozen kilobytes, never longer than a tenth of a second, makes
 * those batches several times larger for at most that much latency per hop; under load, fetches fill
 * at once and nothing waits. The wait also bounds how long stop() waits for a fetch in flight.
 */
export function fetchWaits(options: Pick<ConsumerRunnerOptions, 'fetchMinBytes' | 'fetchMaxWaitMs'>): {
  minBytes: number;
  maxWaitTimeInMs: number;
} {
  const minBytes = options.fetchMinBytes ?? DEFAULT_FETCH_MIN_BYTES;
  const maxWaitTimeInMs = options.fetchMaxWaitMs ?? DEFAULT_FETCH_MAX_WAIT_MS;
  for (const [name, value] of [
    ['fetchMinBytes', minBytes],
    ['fetchMaxWaitMs', maxWaitTimeInMs],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${name} must be a positive integer, got ${value}`);
  }
  return { minBytes, maxWaitTimeInMs };
}

/**
 * The byte limits of a fetch. A fetch takes partitions in order until its total is reached, and the
 * next fetch waits until every batch of this one is processed: the total must hold a full partition
 * batch for each partition processed concurrently, or large partition limits would leave all but one
 * of them idle.
 */
export function fetchSizes(
  options: Pick<ConsumerRunnerOptions, 'maxBytesPerPartition' | 'partitionsConsumedConcurrently'>,
): { maxBytesPerPartition: number; maxBytes: number } {
  const perPartition = options.maxBytesPerPartition ?? KAFKAJS_MAX_BYTES_PER_PARTITION;
  if (!Number.isInteger(perPartition) || perPartition < 1) {
    throw new Error(`maxBytesPerPartition must be a positive integer, got ${perPartition}`);
  }
  const concurrent = options.partitionsConsumedConcurrently ?? DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY;
  return {
    maxBytesPerPartition: perPartition,
    maxBytes: Math.max(KAFKAJS_MAX_BYTES, concurrent * perPartition),
  };
}

function secondsSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
