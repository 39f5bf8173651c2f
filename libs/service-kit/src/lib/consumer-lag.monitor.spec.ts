import { Registry } from 'prom-client';

import { type RuntimeLogger } from '@newsflow/kafka';

import { ConsumerLagMonitor, type LagAdmin } from './consumer-lag.monitor';

const TOPIC = 'news.articles.ingested.v1';
const GROUP = 'newsflow-storage';

/** One topic's log, as the broker would answer the monitor's admin calls about it. */
class SimulatedTopic {
  /** partition → the timestamp of each message, by offset. */
  readonly timestamps = new Map<number, number[]>();
  readonly committed = new Map<number, number>();
  lookupsByTimestamp = 0;
  failing = false;

  constructor(partitions: number) {
    for (let partition = 0; partition < partitions; partition++) this.timestamps.set(partition, []);
  }

  produce(partition: number, time: number, count = 1): void {
    for (let i = 0; i < count; i++) this.timestamps.get(partition)?.push(time);
  }

  high(partition: number): number {
    return this.timestamps.get(partition)?.length ?? 0;
  }

  admin(): LagAdmin {
    const check = () => {
      if (this.failing) throw new Error('broker unreachable');
    };
    const admin = {
      connect: async () => undefined,
      disconnect: async () => undefined,
      fetchOffsets: async ({ topics }: { groupId: string; topics?: string[] }) => {
        check();
        return (topics ?? []).map((topic) => ({
          topic,
          partitions: [...this.timestamps.keys()].map((partition) => ({
            partition,
            offset: String(this.committed.get(partition) ?? -1),
            metadata: null,
          })),
        }));
      },
      fetchTopicOffsets: async () => {
        check();
        return [...this.timestamps.keys()].map((partition) => ({
          partition,
          offset: String(this.high(partition)),
          high: String(this.high(partition)),
          low: '0',
        }));
      },
      // The first offset with a timestamp at or after `time`, or the high watermark: as Kafka answers.
      fetchTopicOffsetsByTimestamp: async (_topic: string, time?: number) => {
        check();
        this.lookupsByTimestamp += 1;
        return [...this.timestamps.entries()].map(([partition, log]) => {
          const first = log.findIndex((timestamp) => timestamp >= (time ?? 0));
          return { partition, offset: String(first === -1 ? log.length : first) };
        });
      },
    };
    return admin as unknown as LagAdmin;
  }
}

function recordingLogger() {
  const lines: { level: string; message: string }[] = [];
  const at =
    (level: string) =>
    (_context: object, message: string): void => {
      lines.push({ level, message });
    };
  const logger: RuntimeLogger = {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger, lines };
}

function monitorOf(
  topic: SimulatedTopic,
  clock: { now: number },
  startFrom: 'earliest' | 'latest' = 'earliest',
) {
  const registry = new Registry();
  const { logger, lines } = recordingLogger();
  const monitor = new ConsumerLagMonitor({
    admin: topic.admin(),
    groupId: GROUP,
    topics: [TOPIC],
    startFrom,
    registry,
    logger,
    intervalMs: 10_000,
    now: () => clock.now,
  });
  const gauge = async (name: string, partition: number) => {
    const metric = registry.getSingleMetric(name);
    const values = (await metric?.get())?.values ?? [];
    return values.find(
      (value) => value.labels['partition'] === String(partition) && value.labels['group'] === GROUP,
    )?.value;
  };
  return {
    monitor,
    lines,
    messages: (partition: number) => gauge('newsflow_consumer_lag_messages', partition),
    seconds: (partition: number) => gauge('newsflow_consumer_lag_seconds', partition),
  };
}

const HOUR = 3_600_000;

describe('ConsumerLagMonitor', () => {
  it('reads an old backlog found at start to within 5% of its age, in a bounded number of lookups', async () => {
    const topic = new SimulatedTopic(2);
    // One message a second for an hour; the group committed through the message of minute 10.
    for (let second = 0; second < 3_600; second++) topic.produce(0, second * 1_000);
    topic.committed.set(0, 600);
    topic.produce(1, 0, 5);
    topic.committed.set(1, 5);
    const clock = { now: HOUR };
    const { monitor, messages, seconds } = monitorOf(topic, clock);

    await monitor.refresh();

    expect(await messages(0)).toBe(3_000);
    const lag = (await seconds(0)) as number;
    expect(Math.abs(lag - 3_000) / 3_000).toBeLessThan(0.05);
    expect(topic.lookupsByTimestamp).toBeLessThanOrEqual(20);
    expect(await messages(1)).toBe(0);
    expect(await seconds(1)).toBe(0);
  });

  it('follows messages written while it runs from its own refreshes, with no lookup', async () => {
    const topic = new SimulatedTopic(1);
    const clock = { now: 0 };
    const { monitor, messages, seconds } = monitorOf(topic, clock);
    await monitor.refresh();
    // The consumer has stopped: 10 messages a second arrive for two minutes.
    for (let refresh = 1; refresh <= 12; refresh++) {
      for (let tenth = 0; tenth < 100; tenth++) topic.produce(0, clock.now + tenth * 100);
      clock.now += 10_000;
      await monitor.refresh();
    }
    expect(await messages(0)).toBe(1_200);
    // The oldest uncommitted message was written at 0 s, two minutes ago: off by at most one interval.
    expect(Math.abs(((await seconds(0)) as number) - 120)).toBeLessThanOrEqual(10);
    expect(topic.lookupsByTimestamp).toBe(0);

    // It catches up half the backlog: the oldest left was written one minute ago.
    topic.committed.set(0, 600);
    await monitor.refresh();
    expect(await messages(0)).toBe(600);
    expect(Math.abs(((await seconds(0)) as number) - 60)).toBeLessThanOrEqual(10);

    topic.committed.set(0, 1_200);
    clock.now += 10_000;
    await monitor.refresh();
    expect(await messages(0)).toBe(0);
    expect(await seconds(0)).toBe(0);
    expect(topic.lookupsByTimestamp).toBe(0);
  });

  it('counts a partition without a commit from where a new member would start', async () => {
    const topic = new SimulatedTopic(1);
    topic.produce(0, 0, 7);
    const clock = { now: 60_000 };
    const earliest = monitorOf(topic, clock, 'earliest');
    await earliest.monitor.refresh();
    expect(await earliest.messages(0)).toBe(7);
    // Written at 0 s, a minute ago: within 5% of the lag (or one and a half intervals).
    expect(Math.abs(((await earliest.seconds(0)) as number) - 60)).toBeLessThanOrEqual(3);

    const latest = monitorOf(topic, clock, 'latest');
    await latest.monitor.refresh();
    expect(await latest.messages(0)).toBe(0);
    expect(await latest.seconds(0)).toBe(0);
  });

  it('keeps the last values and warns once while the broker cannot be read', async () => {
    const topic = new SimulatedTopic(1);
    topic.produce(0, 0, 3);
    topic.committed.set(0, 1);
    const clock = { now: 1_000 };
    const { monitor, messages, lines } = monitorOf(topic, clock);
    await monitor.refresh();
    topic.failing = true;
    topic.produce(0, 500, 10);
    await monitor.refresh();
    await monitor.refresh();
    expect(await messages(0)).toBe(2);
    expect(lines.filter((line) => line.level === 'warn')).toHaveLength(1);

    topic.failing = false;
    await monitor.refresh();
    expect(await messages(0)).toBe(12);
    expect(lines.at(-1)).toEqual({ level: 'info', message: 'consumer lag readable again' });
  });

  it('refreshes on its own once started, and stops', async () => {
    jest.useFakeTimers();
    try {
      const topic = new SimulatedTopic(1);
      topic.produce(0, 0, 4);
      const clock = { now: 1_000 };
      const { monitor, messages } = monitorOf(topic, clock);
      monitor.start();
      await jest.advanceTimersByTimeAsync(1);
      expect(await messages(0)).toBe(4);
      topic.produce(0, 1_000, 2);
      await jest.advanceTimersByTimeAsync(10_000);
      expect(await messages(0)).toBe(6);
      await monitor.stop();
      topic.produce(0, 2_000, 2);
      await jest.advanceTimersByTimeAsync(30_000);
      expect(await messages(0)).toBe(6);
    } finally {
      jest.useRealTimers();
    }
  });
});
