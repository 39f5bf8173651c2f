import { CompressionTypes, type IHeaders, type Kafka, Partitioners, type Producer } from 'kafkajs';

import {
  type EventMetadata,
  type PayloadOf,
  type Topic,
  contractOf,
  newEventMetadata,
  toHeaders,
} from '@newsflow/contracts';

import { PermanentError } from './errors';

export interface PublishRequest<T extends Topic> {
  topic: T;
  key: string;
  payload: PayloadOf<T>;
  /** The event this one follows from: carries correlation and trace ids forward. */
  cause?: EventMetadata;
  /** The `traceparent` of the span publishing it, when that is not the active one (see newEventMetadata). */
  traceParent?: string;
}

export interface RawMessage {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: IHeaders;
}

/**
 * The only way services write to Kafka: payloads are checked against the topic's contract before
 * they leave, so a bug shows up in the producer, not in every consumer downstream.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly source: string,
  ) {
    // Not the idempotent producer: it needs unbounded retries, and a publish that can block forever is
    // worse than a rare duplicate, which every Newsflow consumer absorbs (writes are keyed by article id).
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  async publish<T extends Topic>(request: PublishRequest<T>): Promise<EventMetadata> {
    const [metadata] = await this.publishMany(request.topic, [request]);
    return metadata as EventMetadata;
  }

  /** Publishes several events of one topic in one request; resolves once the broker acknowledged all. */
  async publishMany<T extends Topic>(
    topic: T,
    requests: readonly Omit<PublishRequest<T>, 'topic'>[],
  ): Promise<EventMetadata[]> {
    const contract = contractOf(topic);
    const metadata = requests.map((request) => {
      const result = contract.schema.safeParse(request.payload);
      if (!result.success) {
        throw new PermanentError(
          'CONTRACT_VIOLATION',
          `refusing to publish an invalid ${topic} payload: ${result.error.issues
            .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
            .join('; ')}`,
        );
      }
      return newEventMetadata({
        type: contract.eventType,
        source: this.source,
        cause: request.cause,
        parent: request.traceParent,
      });
    });
    await this.producer.send({
      topic,
      compression: CompressionTypes.None,
      messages: requests.map((request, index) => ({
        key: request.key,
        value: JSON.stringify(request.payload),
        headers: toHeaders(metadata[index] as EventMetadata),
      })),
    });
    return metadata;
  }

  /** Sends a message as it is (dead letters, redrives): no contract check, headers kept. */
  async publishRaw(topic: string, message: RawMessage): Promise<void> {
    await this.publishRawMany(topic, [message]);
  }

  /** Sends several messages as they are in one request (retry topics); resolves once all are acknowledged. */
  async publishRawMany(topic: string, messages: readonly RawMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({ topic, messages: [...messages] });
  }
}
