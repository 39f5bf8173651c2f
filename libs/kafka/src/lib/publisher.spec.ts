import { type Kafka, type ProducerBatch } from 'kafkajs';

import { EventPublisher } from './publisher';

/** A kafkajs client whose producer fails every sendBatch with `error`, counting the calls. */
function failingKafka(error: Error): { kafka: Kafka; calls: ProducerBatch[] } {
  const calls: ProducerBatch[] = [];
  const producer = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    sendBatch: jest.fn(async (batch: ProducerBatch) => {
      calls.push(batch);
      throw error;
    }),
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, calls };
}

/** Shaped as kafkajs's errors are: a name, and whether kafkajs would retry it. */
function kafkaError(name: string, retriable: boolean): Error {
  return Object.assign(new Error(`${name} for the test`), { name, retriable });
}

const message = (key: string) => ({ key, value: `value of ${key}`, headers: {} });

describe('EventPublisher', () => {
  it('fails every caller of a merged request at once when the broker cannot be reached', async () => {
    const { kafka, calls } = failingKafka(kafkaError('KafkaJSConnectionError', true));
    const publisher = new EventPublisher(kafka, '/newsflow/publisher-spec');

    const outcomes = await Promise.allSettled([
      publisher.publishRaw('t', message('a')),
      publisher.publishRaw('t', message('b')),
      publisher.publishRaw('t', message('c')),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected', 'rejected']);
    // One merged request, not one more per caller after it.
    expect(calls).toHaveLength(1);
    expect(calls[0]?.topicMessages?.[0]?.messages.map((sent) => sent.key)).toEqual(['a', 'b', 'c']);
  });

  it('sends each caller again on its own when the broker refused the merged request', async () => {
    const { kafka, calls } = failingKafka(kafkaError('KafkaJSProtocolError', false));
    const publisher = new EventPublisher(kafka, '/newsflow/publisher-spec');

    await Promise.allSettled([
      publisher.publishRaw('t', message('a')),
      publisher.publishRaw('t', message('b')),
    ]);

    expect(calls.map((call) => call.topicMessages?.[0]?.messages.map((sent) => sent.key))).toEqual([
      ['a', 'b'],
      ['a'],
      ['b'],
    ]);
  });
});
