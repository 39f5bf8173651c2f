import { HealthIndicatorService } from '@nestjs/terminus';
import { type Admin, type Kafka } from 'kafkajs';

import { KafkaHealthIndicator } from './kafka.health';

function fakeKafka(admin: Partial<Admin>) {
  let created = 0;
  const kafka = {
    admin: () => {
      created += 1;
      return admin as Admin;
    },
  } as unknown as Kafka;
  return { kafka, adminsCreated: () => created };
}

const cluster = { brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }], controller: 1, clusterId: 'c' };

describe('KafkaHealthIndicator', () => {
  it('is up when the broker answers and no consumer is watched', async () => {
    const { kafka } = fakeKafka({ connect: async () => undefined, describeCluster: async () => cluster });
    const health = new KafkaHealthIndicator(kafka, new HealthIndicatorService());
    await expect(health.check()).resolves.toEqual({ kafka: { status: 'up', brokers: 1 } });
  });

  it('keeps one admin client across checks', async () => {
    const { kafka, adminsCreated } = fakeKafka({
      connect: async () => undefined,
      describeCluster: async () => cluster,
    });
    const health = new KafkaHealthIndicator(kafka, new HealthIndicatorService());
    await health.check();
    await health.check();
    expect(adminsCreated()).toBe(1);
  });

  it('is down while a watched consumer is not in its group, with the consumer error', async () => {
    const { kafka } = fakeKafka({ connect: async () => undefined, describeCluster: async () => cluster });
    const health = new KafkaHealthIndicator(kafka, new HealthIndicatorService());
    health.watchConsumer({ membership: () => ({ joined: true }) });
    health.watchConsumer({ membership: () => ({ joined: false, error: 'coordinator not available' }) });
    await expect(health.check('bus')).resolves.toEqual({
      bus: { status: 'down', brokers: 1, consumer: 'not in its group', error: 'coordinator not available' },
    });
  });

  it('is up when every watched consumer is in its group', async () => {
    const { kafka } = fakeKafka({ connect: async () => undefined, describeCluster: async () => cluster });
    const health = new KafkaHealthIndicator(kafka, new HealthIndicatorService());
    health.watchConsumer({ membership: () => ({ joined: true }) });
    await expect(health.check()).resolves.toEqual({ kafka: { status: 'up', brokers: 1 } });
  });

  it('is down with the error message when the broker does not answer', async () => {
    const { kafka } = fakeKafka({
      connect: async () => {
        throw new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092');
      },
    });
    const health = new KafkaHealthIndicator(kafka, new HealthIndicatorService());
    await expect(health.check()).resolves.toEqual({
      kafka: { status: 'down', message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' },
    });
  });

  it('is down after 3 s when the broker hangs', async () => {
    jest.useFakeTimers();
    try {
      const { kafka } = fakeKafka({
        connect: async () => undefined,
        describeCluster: () => new Promise<never>(() => undefined),
      });
      const health = new KafkaHealthIndicator(kafka, new HealthIndicatorService());
      const result = health.check();
      await jest.advanceTimersByTimeAsync(3_000);
      await expect(result).resolves.toEqual({
        kafka: { status: 'down', message: 'no answer from Kafka within 3000 ms' },
      });
    } finally {
      jest.useRealTimers();
    }
  });

  it('disconnects its admin client on close, and closes quietly when it never checked', async () => {
    let disconnected = 0;
    const { kafka } = fakeKafka({
      connect: async () => undefined,
      describeCluster: async () => cluster,
      disconnect: async () => {
        disconnected += 1;
      },
    });
    const unused = new KafkaHealthIndicator(kafka, new HealthIndicatorService());
    await unused.close();
    expect(disconnected).toBe(0);

    const health = new KafkaHealthIndicator(kafka, new HealthIndicatorService());
    await health.check();
    await health.close();
    expect(disconnected).toBe(1);
  });
});
