/**
 * Where a phase's events go. Both sinks do per event what `EventPublisher.publishMany` does: validate
 * the payload against the ArticleIngestedV1 contract (zod), create CloudEvents metadata and headers,
 * `JSON.stringify` the payload once, and send the batch as one uncompressed Kafka request.
 *
 * - `ContractTopicSink` (`--topic-contract`) is `EventPublisher.publishMany` on news.articles.ingested.v1.
 * - `BenchTopicSink` (default) repeats those steps on a producer configured like the publisher's, because
 *   `publishMany` only accepts contract topics and `publishRaw` sends one message per request without
 *   validation: either would measure something else than the service does.
 */
import { type EventMetadata, Topic, contractOf, newEventMetadata, toHeaders } from '@newsflow/contracts';
import { EventPublisher } from '@newsflow/kafka';
import { CompressionTypes, type Kafka, Partitioners, type Producer } from 'kafkajs';

import { type EventRequest } from './ingested-event';

export interface EventSink {
  readonly topic: string;
  connect(): Promise<void>;
  /** Resolves once the broker acknowledged every event of the batch. */
  publish(requests: readonly EventRequest[]): Promise<void>;
  disconnect(): Promise<void>;
}

/** The event `source` of benchmark events (the service uses its own name). */
export const BENCH_SOURCE = 'newsflow-bench';

export class ContractTopicSink implements EventSink {
  readonly topic = Topic.ArticleIngestedV1;
  private readonly publisher: EventPublisher;

  constructor(kafka: Kafka) {
    this.publisher = new EventPublisher(kafka, BENCH_SOURCE);
  }

  connect(): Promise<void> {
    return this.publisher.connect();
  }

  async publish(requests: readonly EventRequest[]): Promise<void> {
    await this.publisher.publishMany(Topic.ArticleIngestedV1, requests);
  }

  disconnect(): Promise<void> {
    return this.publisher.disconnect();
  }
}

export class BenchTopicSink implements EventSink {
  private readonly producer: Producer;
  private readonly contract = contractOf(Topic.ArticleIngestedV1);

  constructor(
    kafka: Kafka,
    readonly topic: string,
  ) {
    // The options of EventPublisher's producer (libs/kafka/src/lib/publisher.ts).
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async publish(requests: readonly EventRequest[]): Promise<void> {
    const metadata = requests.map((request): EventMetadata => {
      const result = this.contract.schema.safeParse(request.payload);
      if (!result.success) {
        const issues = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
        throw new Error(
          `refusing to publish an invalid ${this.contract.topic} payload: ${issues.join('; ')}`,
        );
      }
      return newEventMetadata({ type: this.contract.eventType, source: BENCH_SOURCE });
    });
    await this.producer.send({
      topic: this.topic,
      compression: CompressionTypes.None,
      messages: requests.map((request, index) => ({
        key: request.key,
        value: JSON.stringify(request.payload),
        headers: toHeaders(metadata[index] as EventMetadata),
      })),
    });
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }
}
