import { type Admin } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';

import { type RuntimeLogger } from '@newsflow/kafka';

import { type PartitionOffsets, lagMessages, nextReadOffset, parseOffset } from './consumer-lag';
import { OffsetTimeIndex, interpolateTime } from './offset-time-index';

/** The admin calls the monitor makes, so tests can answer them without a broker. */
export type LagAdmin = Pick<
  Admin,
  'connect' | 'disconnect' | 'fetchOffsets' | 'fetchTopicOffsets' | 'fetchTopicOffsetsByTimestamp'
>;

export interface ConsumerLagMonitorOptions {
  admin: LagAdmin;
  groupId: string;
  /** The Kafka topics the group consumes. */
  topics: readonly string[];
  /** Where the group starts on a partition it has committed nothing on (KAFKA_AUTO_OFFSET_RESET). */
  startFrom: 'earliest' | 'latest';
  registry: Registry;
  logger: RuntimeLogger;
  /** How often the lag is read (default 10 s). */
  intervalMs?: number;
  /** Offset lookups by timestamp one refresh may make per topic (default 40): bounds the cost of a cold start. */
  maxLookupsPerTopic?: number;
  now?: () => number;
}

export const DEFAULT_LAG_INTERVAL_MS = 10_000;
const DEFAULT_MAX_LOOKUPS_PER_TOPIC = 40;
/** The estimate of a lag in seconds may be off by this share of it, or by one and a half refresh intervals. */
const RELATIVE_TOLERANCE = 0.05;
/** How long stop() waits for a reading in flight. */
const STOP_WAIT_MS = 2_000;

type LagLabels = 'group' | 'topic' | 'partition';

/**
 * Consumer lag of one group, per partition of the topics it consumes, read with the admin client every
 * ~10 s into two gauges:
 *
 * - `newsflow_consumer_lag_messages`: high watermark − committed offset (`fetchTopicOffsets`,
 *   `fetchOffsets`).
 * - `newsflow_consumer_lag_seconds`: now − timestamp of the first uncommitted message, 0 when caught up.
 *   The message is not read (kafkajs can only read through a consumer that joins a group, far too
 *   heavy every 10 s). Its timestamp is bracketed instead by offset → time boundaries: each refresh's
 *   high watermark is one (the messages below it were written before it was read), and Kafka's offset
 *   lookup by timestamp (`fetchTopicOffsetsByTimestamp`: the first offset at or after a time) gives
 *   more on demand. A message written while the monitor ran lies between two refreshes, so reading it
 *   costs no request and is right to within one interval; an older one (a backlog found at start) is
 *   bracketed by lookups, going back in doubling steps and then halving the bracket until it is within
 *   5% of the lag. The bracket's messages are taken as evenly spread in time.
 */
export class ConsumerLagMonitor {
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly messagesGauge: Gauge<LagLabels>;
  private readonly secondsGauge: Gauge<LagLabels>;
  private readonly indexes = new Map<string, OffsetTimeIndex>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private connected = false;
  private stopped = false;
  private failing = false;

  constructor(private readonly options: ConsumerLagMonitorOptions) {
    this.intervalMs = options.intervalMs ?? DEFAULT_LAG_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.messagesGauge = gaugeIn(options.registry, {
      name: 'newsflow_consumer_lag_messages',
      help: 'Messages of the partition the consumer group has not committed yet (high watermark - committed offset)',
    });
    this.secondsGauge = gaugeIn(options.registry, {
      name: 'newsflow_consumer_lag_seconds',
      help: 'Age of the oldest message of the partition the consumer group has not committed (0 when caught up)',
    });
  }

  /** Reads the lag now and then every interval, until stop(). */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Stops reading. A reading in flight gets a moment to finish; a broker that is away must not hold up
   * the service's shutdown, so after that the admin client is disconnected under it.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.running) {
      const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref());
      await Promise.race([this.running, gaveUp]);
    }
    if (this.connected) {
      this.connected = false;
      await this.options.admin.disconnect();
    }
  }

  /** One reading of every partition's lag into the gauges; failures are logged, and the last values kept. */
  async refresh(): Promise<void> {
    try {
      if (!this.connected) {
        await this.options.admin.connect();
        this.connected = true;
      }
      const committed = await this.committedOffsets();
      await Promise.all(this.options.topics.map((topic) => this.refreshTopic(topic, committed)));
      if (this.failing)
        this.options.logger.info({ groupId: this.options.groupId }, 'consumer lag readable again');
      this.failing = false;
    } catch (error) {
      if (this.stopped) return;
      // Every 10 s while the broker is away would bury the log: the first failure says it.
      const log = this.failing ? this.options.logger.debug : this.options.logger.warn;
      log.call(
        this.options.logger,
        { err: error, groupId: this.options.groupId },
        'could not read consumer lag; keeping the last values',
      );
      this.failing = true;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.refresh().finally(() => this.schedule(this.intervalMs));
    }, delayMs);
    // The monitor never keeps a process alive on its own.
    this.timer.unref();
  }

  /** topic → partition → committed offset (-1 where the group has none). */
  private async committedOffsets(): Promise<Map<string, Map<number, bigint>>> {
    const answer = await this.options.admin.fetchOffsets({
      groupId: this.options.groupId,
      topics: [...this.options.topics],
    });
    return new Map(
      answer.map(({ topic, partitions }) => [
        topic,
        new Map(partitions.map(({ partition, offset }) => [partition, parseOffset(offset)])),
      ]),
    );
  }

  private async refreshTopic(topic: string, committed: Map<string, Map<number, bigint>>): Promise<void> {
    const watermarks = await this.options.admin.fetchTopicOffsets(topic);
    const readAt = this.now();
    const budget = { lookups: this.options.maxLookupsPerTopic ?? DEFAULT_MAX_LOOKUPS_PER_TOPIC };
    for (const watermark of watermarks) {
      const offsets: PartitionOffsets = {
        partition: watermark.partition,
        low: parseOffset(watermark.low),
        high: parseOffset(watermark.high),
        committed: committed.get(topic)?.get(watermark.partition) ?? -1n,
      };
      const index = this.indexOf(topic, offsets.partition);
      index.record({ offset: offsets.high, time: readAt });
      const next = nextReadOffset(offsets, this.options.startFrom);
      index.forgetBelow(next);
      const messages = lagMessages(offsets, this.options.startFrom);
      const labels = { group: this.options.groupId, topic, partition: String(offsets.partition) };
      this.messagesGauge.set(labels, Number(messages));
      const writtenAt =
        messages > 0n
          ? await this.timestampOf({ topic, partition: offsets.partition, offset: next, budget })
          : readAt;
      this.secondsGauge.set(labels, Math.max(0, readAt - writtenAt) / 1000);
    }
  }

  /**
   * The (estimated) timestamp of the message at `offset`, which exists: it is below the high watermark
   * just recorded, so the bracket always has an upper bound.
   */
  private async timestampOf(input: {
    topic: string;
    partition: number;
    offset: bigint;
    budget: { lookups: number };
  }): Promise<number> {
    const { topic, offset, budget } = input;
    const index = this.indexOf(topic, input.partition);
    const lookUp = async (time: number) => {
      budget.lookups -= 1;
      await this.lookUp(topic, time);
      return index.bracket(offset);
    };
    let bracket = index.bracket(offset);
    // Older than every boundary known: step back in doubling steps until one is at or below it. At
    // time 0 the lookup answers the log start, which is at or below any offset still in the log.
    for (let step = this.intervalMs; bracket.upper && !bracket.lower && budget.lookups > 0; step *= 2) {
      const time = Math.max(0, bracket.upper.time - step);
      bracket = await lookUp(time);
      if (time === 0) break;
    }
    const now = this.now();
    // Halve the bracket until it is narrow enough for the lag it gives.
    while (bracket.lower && bracket.upper && budget.lookups > 0) {
      const { lower, upper } = bracket;
      const allowedMs = Math.max(1.5 * this.intervalMs, RELATIVE_TOLERANCE * (now - upper.time));
      if (upper.time - lower.time <= allowedMs) break;
      bracket = await lookUp(Math.floor((lower.time + upper.time) / 2));
      // Timestamps out of order in the log can leave the bracket as it was: then it is as good as it gets.
      if (bracket.lower === lower && bracket.upper === upper) break;
    }
    if (bracket.lower && bracket.upper)
      return interpolateTime(offset, { lower: bracket.lower, upper: bracket.upper });
    return bracket.upper?.time ?? now;
  }

  /** The boundaries known for a partition. */
  private indexOf(topic: string, partition: number): OffsetTimeIndex {
    const key = `${topic}\u0000${partition}`;
    let index = this.indexes.get(key);
    if (!index) {
      index = new OffsetTimeIndex();
      this.indexes.set(key, index);
    }
    return index;
  }

  /** One offset lookup by timestamp: the answer is a boundary for every partition of the topic. */
  private async lookUp(topic: string, time: number): Promise<void> {
    const answer = await this.options.admin.fetchTopicOffsetsByTimestamp(topic, time);
    for (const { partition, offset } of answer) {
      this.indexOf(topic, partition).record({ offset: parseOffset(offset), time });
    }
  }
}

function gaugeIn(registry: Registry, input: { name: string; help: string }): Gauge<LagLabels> {
  const existing = registry.getSingleMetric(input.name);
  if (existing instanceof Gauge) return existing as Gauge<LagLabels>;
  return new Gauge({ ...input, labelNames: ['group', 'topic', 'partition'] as const, registers: [registry] });
}
