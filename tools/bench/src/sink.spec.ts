import { parseArticleText } from '@newsflow/article-format';
import { Topic } from '@newsflow/contracts';
import { CompressionTypes, type Kafka, type ProducerBatch, type ProducerRecord } from 'kafkajs';

import { type EventRequest, toEventRequests } from './ingested-event';
import { BENCH_TOPIC } from './kafka-setup';
import { BenchTopicSink, ContractTopicSink, type EventSink } from './sink';

function fakeKafka(): { kafka: Kafka; sent: ProducerRecord[] } {
  const sent: ProducerRecord[] = [];
  const producer = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    send: jest.fn(async (record: ProducerRecord) => {
      sent.push(record);
      return [];
    }),
    // EventPublisher sends through sendBatch (it merges concurrent sends): one record per topic.
    sendBatch: jest.fn(async (batch: ProducerBatch) => {
      for (const { topic, messages } of batch.topicMessages ?? []) {
        sent.push({ topic, messages, compression: batch.compression });
      }
      return [];
    }),
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, sent };
}

function requests(): EventRequest[] {
  const parsed = parseArticleText(Buffer.from('date 1987-02-26 BAHIA COCOA REVIEW\n\nShowers continued.\n'), {
    now: new Date('2024-01-01T00:00:00Z'),
  });
  if (!parsed.ok) throw new Error('the fixture must parse');
  const record = {
    article: parsed.article,
    fields: {},
    location: { byteStart: 0, byteEnd: 50 },
    object: { bucket: 'bench-text', key: '000000.txt', sizeBytes: 50 },
  };
  const times = { firstSeenAt: '2024-01-01T00:00:00.000Z', ingestedAt: '2024-01-01T00:00:01.000Z' };
  const { requests: built, duplicates } = toEventRequests([record, record], times);
  expect(duplicates).toBe(1);
  return built;
}

describe.each([
  ['BenchTopicSink', (kafka: Kafka): EventSink => new BenchTopicSink(kafka, BENCH_TOPIC), BENCH_TOPIC],
  ['ContractTopicSink', (kafka: Kafka): EventSink => new ContractTopicSink(kafka), Topic.ArticleIngestedV1],
])('%s', (_name, create, topic) => {
  it(`sends one uncompressed request to ${topic}, with CloudEvents headers`, async () => {
    const { kafka, sent } = fakeKafka();
    const sink = create(kafka);
    await sink.connect();
    const batch = requests();
    await sink.publish(batch);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ topic, compression: CompressionTypes.None });
    const [message] = sent[0]?.messages ?? [];
    expect(message?.key).toBe(batch[0]?.key);
    expect(JSON.parse(String(message?.value))).toEqual(JSON.parse(JSON.stringify(batch[0]?.payload)));
    expect(message?.headers).toMatchObject({
      ce_type: 'dev.newsflow.article.ingested.v1',
      ce_source: 'newsflow-bench',
    });
  });

  it('refuses a payload that breaks the contract, before sending anything', async () => {
    const { kafka, sent } = fakeKafka();
    const sink = create(kafka);
    const [request] = requests();
    if (request === undefined) throw new Error('no request');
    await expect(
      sink.publish([{ ...request, payload: { ...request.payload, id: 'not-an-id' } }]),
    ).rejects.toThrow(/invalid news\.articles\.ingested\.v1 payload/);
    expect(sent).toHaveLength(0);
  });
});
