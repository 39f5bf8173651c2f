/**
 * The lag monitor against the real broker (KAFKA_BROKERS): a topic of its own, messages written while
 * the group's consumer is stopped, then a consumer that catches up and commits.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

import { type Admin, type Kafka } from 'kafkajs';
import { Registry } from 'prom-client';

import { createKafkaClient, silentLogger } from '@newsflow/kafka';

import { ConsumerLagMonitor } from './consumer-lag.monitor';

function brokers(): string[] {
  const value = process.env['KAFKA_BROKERS'] ?? '';
  const list = value.split(',').filter((broker) => broker.trim().length > 0);
  if (list.length === 0) throw new Error('KAFKA_BROKERS is not set: this suite needs a running broker');
  return list;
}

const run = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const TOPIC = `test.consumer-lag.${run}`;
const GROUP = `test-consumer-lag-${run}`;

let kafka: Kafka;
let admin: Admin;

beforeAll(async () => {
  kafka = createKafkaClient({ clientId: `lag-test-${run}`, brokers: brokers(), logger: silentLogger });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 2 }] });
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [TOPIC] }).catch(() => undefined);
  await admin.deleteGroups([GROUP]).catch(() => undefined);
  await admin.disconnect();
});

async function produce(partition: number, count: number): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic: TOPIC,
      messages: Array.from({ length: count }, (_, index) => ({ partition, value: `message ${index}` })),
    });
  } finally {
    await producer.disconnect();
  }
}

/** The group's consumer, running until it has read and committed `total` messages. */
async function catchUp(total: number): Promise<void> {
  const consumer = kafka.consumer({ groupId: GROUP, maxWaitTimeInMs: 500 });
  let consumed = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => {
    done = resolve;
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        await consumer.commitOffsets([
          { topic: TOPIC, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
        consumed += 1;
        if (consumed >= total) done();
      },
    });
    const timedOut = new AbortController();
    await Promise.race([
      all,
      sleep(60_000, undefined, { signal: timedOut.signal }).then(() => {
        throw new Error(`the consumer read ${consumed} of ${total} messages in 60 s`);
      }),
    ]).finally(() => timedOut.abort());
  } finally {
    await consumer.disconnect();
  }
}

describe('ConsumerLagMonitor on a real broker', () => {
  it('shows lag in messages and seconds rising while the consumer is stopped, and 0 once it caught up', async () => {
    const registry = new Registry();
    const monitor = new ConsumerLagMonitor({
      admin: kafka.admin(),
      groupId: GROUP,
      topics: [TOPIC],
      startFrom: 'earliest',
      registry,
      logger: silentLogger,
      intervalMs: 1_000,
    });
    const lag = async (metric: 'messages' | 'seconds', partition: number): Promise<number | undefined> => {
      const values = (await registry.getSingleMetric(`newsflow_consumer_lag_${metric}`)?.get())?.values ?? [];
      return values.find(
        (value) =>
          value.labels['group'] === GROUP &&
          value.labels['topic'] === TOPIC &&
          value.labels['partition'] === String(partition),
      )?.value;
    };

    const firstWritten = Date.now();
    await produce(0, 6);
    await produce(1, 4);
    try {
      await monitor.refresh();
      expect(await lag('messages', 0)).toBe(6);
      expect(await lag('messages', 1)).toBe(4);
      const secondsAtFirst = (await lag('seconds', 0)) as number;
      expect(secondsAtFirst).toBeGreaterThanOrEqual(0);

      await sleep(3_000);
      await produce(0, 5);
      await monitor.refresh();
      expect(await lag('messages', 0)).toBe(11);
      const secondsLater = (await lag('seconds', 0)) as number;
      const oldestAge = (Date.now() - firstWritten) / 1000;
      // The oldest uncommitted message is the first one written: its age, within 1.5 refresh intervals.
      expect(secondsLater).toBeGreaterThan(secondsAtFirst + 2);
      expect(secondsLater).toBeGreaterThanOrEqual(oldestAge - 1.5);
      expect(secondsLater).toBeLessThanOrEqual(oldestAge + 1.5);

      await catchUp(15);
      await monitor.refresh();
      expect(await lag('messages', 0)).toBe(0);
      expect(await lag('messages', 1)).toBe(0);
      expect(await lag('seconds', 0)).toBe(0);
      expect(await lag('seconds', 1)).toBe(0);
    } finally {
      await monitor.stop();
    }
  });
});
