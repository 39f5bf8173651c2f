/**
 * A consumer group member for retry-topics.int-spec.ts, run as a child process so the test can kill it
 * (SIGKILL) at the worst moment: its handler always fails transiently, and once a message has been
 * acknowledged on a retry topic it prints RETRY_ACKNOWLEDGED and hangs, so the offset of the original
 * is never committed. Everything comes from the environment the spec sets.
 */
import { Topic } from '@newsflow/contracts';

import { createKafkaClient } from '../lib/client';
import { ConsumerRunner } from '../lib/consumer-runner';
import { TransientError } from '../lib/errors';
import { silentLogger } from '../lib/logger';
import { EventPublisher, type RawMessage } from '../lib/publisher';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

/** Stops between "the retry is on Kafka" and "the original is committed", as a crash there would. */
class PublisherThatHangsAfterRetry extends EventPublisher {
  override async publishRawMany(topic: string, messages: readonly RawMessage[]): Promise<void> {
    await super.publishRawMany(topic, messages);
    if (topic.startsWith('news.retry.')) {
      process.stdout.write(`RETRY_ACKNOWLEDGED ${topic}\n`);
      await new Promise<never>(() => undefined);
    }
  }
}

async function main(): Promise<void> {
  const kafka = createKafkaClient({
    clientId: 'retry-crash-member',
    brokers: required('KAFKA_BROKERS').split(','),
    logger: silentLogger,
  });
  const publisher = new PublisherThatHangsAfterRetry(kafka, '/newsflow/retry-crash-member');
  await publisher.connect();
  const runner = new ConsumerRunner({
    kafka,
    groupId: required('GROUP_ID'),
    stage: 'int-test',
    topics: [Topic.ArticleIngestedV1],
    topicNames: { [Topic.ArticleIngestedV1]: required('SOURCE_TOPIC') },
    deadLetterTopic: required('DLQ_TOPIC'),
    publisher,
    logger: silentLogger,
    // Short, so the test's next member gets the partition soon after the kill.
    sessionTimeoutMs: 6_000,
    retryPolicy: {
      maxAttempts: 1,
      initialBackoffMs: 10,
      maxBackoffMs: 10,
      retryTopicDelaysMs: [500, 1_000],
    },
    dispatch: async () => {
      throw new TransientError('DOWNSTREAM_DOWN', 'the downstream is down');
    },
  });
  await runner.start();
  process.stdout.write('STARTED\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
