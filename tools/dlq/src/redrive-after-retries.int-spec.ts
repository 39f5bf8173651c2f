/**
 * The whole way of a message that meets a longer outage, against a real broker (KAFKA_BROKERS): a
 * ConsumerRunner with retry topics tries it in place, on each retry topic, dead-letters it, and after
 * "the fix" `npm run dlq -- redrive` sends it back to its original topic, where the same runner handles
 * it. Private topics throughout (source, dead letters, redrive log; the retry topics are the test
 * group's own), all deleted at the end.
 */
import { randomBytes } from 'node:crypto';

import { type Kafka } from 'kafkajs';

import {
  type ArticleIngestedV1,
  CloudEventHeader,
  Topic,
  contractOf,
  newEventMetadata,
  toHeaders,
} from '@newsflow/contracts';
import {
  type ConsumedEvent,
  ConsumerRunner,
  EventPublisher,
  TransientError,
  createKafkaClient,
  ensureTopics,
  retryTopicName,
  silentLogger,
} from '@newsflow/kafka';

import { type DeadLetterRow } from './format';
import { runDlq } from './dlq';

const brokers = (process.env['KAFKA_BROKERS'] ?? '').trim();
if (!brokers) throw new Error('KAFKA_BROKERS is not set: this suite needs a broker, e.g. 127.0.0.1:9092');

const suffix = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
const sourceTopic = `test.dlq-retries.ingested.${suffix}`;
const dlqTopic = `test.dlq-retries.dlq.${suffix}`;
const redrivenTopic = `test.dlq-retries.redriven.${suffix}`;
const groupId = `it-dlq-retries-${suffix}`;
const retryTopics = [1, 2].map((tier) => retryTopicName(groupId, tier));

let kafka: Kafka;
let publisher: EventPublisher;
let runner: ConsumerRunner | undefined;

beforeAll(async () => {
  kafka = createKafkaClient({
    clientId: `dlq-retries-${suffix}`,
    brokers: brokers.split(','),
    logger: silentLogger,
  });
  await ensureTopics(kafka, {
    topics: [sourceTopic, dlqTopic],
    partitions: 1,
    replicationFactor: 1,
    logger: silentLogger,
  });
  publisher = new EventPublisher(kafka, '/newsflow/dlq-retries-int-spec');
  await publisher.connect();
});

afterAll(async () => {
  await runner?.stop();
  await publisher?.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const ours = [sourceTopic, dlqTopic, redrivenTopic, ...retryTopics].filter((topic) =>
      existing.has(topic),
    );
    if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  } finally {
    await admin.disconnect();
  }
});

async function dlq(argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const code = await runDlq({
    argv,
    env: { KAFKA_BROKERS: brokers, DLQ_TOPIC: dlqTopic, DLQ_REDRIVEN_TOPIC: redrivenTopic },
    out: (line) => out.push(line),
    err: (line) => out.push(line),
  });
  return { code, out: out.join('\n') };
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

it('dead-letters a message after every retry topic, and a redrive after the fix has it handled', async () => {
  let databaseDown = true;
  const handled: ConsumedEvent[] = [];
  const attempts: number[] = [];
  runner = new ConsumerRunner({
    kafka,
    groupId,
    stage: 'storage',
    topics: [Topic.ArticleIngestedV1],
    topicNames: { [Topic.ArticleIngestedV1]: sourceTopic },
    deadLetterTopic: dlqTopic,
    publisher,
    logger: silentLogger,
    retryPolicy: { maxAttempts: 1, initialBackoffMs: 10, maxBackoffMs: 10, retryTopicDelaysMs: [300, 600] },
    dispatch: async (event) => {
      attempts.push(event.attempt);
      if (databaseDown) throw new TransientError('DB_08006', 'connection refused');
      handled.push(event);
    },
  });
  await runner.start();

  const article: ArticleIngestedV1 = {
    id: randomBytes(16).toString('hex'),
    contentHash: randomBytes(32).toString('hex'),
    publishedAt: '2022-02-22',
    lede: 'An article that meets an outage',
    paragraphs: ['It waits on the retry topics.', 'Then in the dead-letter topic.'],
    text: 'It waits on the retry topics.\n\nThen in the dead-letter topic.',
    wordCount: 12,
    source: { bucket: 'local', key: 'tests/outage.txt', sizeBytes: 64 },
    parserVersion: 'test-1',
    firstSeenAt: new Date().toISOString(),
    ingestedAt: new Date().toISOString(),
  };
  const metadata = newEventMetadata({
    type: contractOf(Topic.ArticleIngestedV1).eventType,
    source: '/newsflow/dlq-retries-int-spec',
  });
  await publisher.publishRaw(sourceTopic, {
    key: article.id,
    value: JSON.stringify(article),
    headers: toHeaders(metadata),
  });

  const [row] = await eventually('the dead letter', async () => {
    const run = await dlq(['list', '--json']);
    const rows = JSON.parse(run.out) as DeadLetterRow[];
    return rows.length > 0 ? rows : undefined;
  });
  // Once on the source topic and once on each of the two retry topics.
  expect(attempts).toEqual([1, 2, 3]);
  expect(row).toMatchObject({
    stage: 'storage',
    consumerGroup: groupId,
    originalTopic: sourceTopic,
    originalPartition: 0,
    originalOffset: '0',
    errorCode: 'DB_08006',
    attempts: 3,
    key: article.id,
  });

  // The fix: the database is back. The redrive goes to the original topic, not to a retry topic.
  databaseDown = false;
  const run = await dlq(['redrive', '--stage', 'storage']);
  expect(run).toMatchObject({ code: 0 });
  expect(run.out).toContain(`Redrove 1 dead letter (${sourceTopic}: 1)`);

  const event = await eventually('the redriven article to be handled', () => handled[0]);
  expect(event.payload).toEqual(article);
  expect(event.offset).toBe('1');
  // A first delivery of a new event caused by the original one.
  expect(event.attempt).toBe(1);
  expect(event.metadata.causationId).toBe(metadata.id);
  expect(event.metadata.correlationId).toBe(metadata.correlationId);
  // Nothing of the retry bookkeeping travelled back with it.
  const redriven = await dlq(['show', row?.id ?? '']);
  expect(redriven.out).not.toMatch(/retry_/);
  expect(redriven.out).toContain(CloudEventHeader.Id);
  expect(handled).toHaveLength(1);
});
