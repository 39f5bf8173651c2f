import {
  CompressionTypes,
  type IHeaders,
  type Kafka,
  type Message,
  Partitioners,
  type Producer,
  type TopicMessages,
} from 'kafkajs';

import {
  type EventMetadata,
  type PayloadOf,
  type Topic,
  contractOf,
  newEventMetadata,
  toHeaders,
} from '@newsflow/contracts';

import { BatchCoalescer } from './batch-coalescer';
import { PermanentError, classifyError } from './errors';

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

/** One message on its way, with its topic: what the sends of a publisher are merged from. */
interface OutgoingMessage {
  topic: string;
  message: Message;
}

/**
 * Sends merged into one produce request at most: 1,000 messages and 512 KiB, so that even when they
 * all go to one partition its record batch stays under the broker's default message.max.bytes (1 MiB).
 */
const MAX_MERGED_MESSAGES = 1_000;
const MAX_MERGED_BYTES = 512 * 1024;

/**
 * The only way services write to Kafka: payloads are checked against the topic's contract before
 * they leave, so a bug shows up in the producer, not in every consumer downstream.
 *
 * Sends made while an earlier one is on its way are merged into the next produce request (kafkajs
 * sends one request per send() call). Ingestion publishes each single-article file on its own, and at a
 * steady trickle those requests were the broker's busiest work; now one request carries what arrived
 * during the previous one, with no added wait when the publisher is idle. A merged request the broker
 * refuses is sent again submission by submission, so each caller gets its own outcome (see
 * BatchCoalescer); one that failed for every caller alike (no broker) fails them all at once.
 */
export class EventPublisher {
  private readonly producer: Producer;
  private readonly sends = new BatchCoalescer<OutgoingMessage>((messages) => this.sendNow(messages), {
    maxItems: MAX_MERGED_MESSAGES,
    maxWeight: MAX_MERGED_BYTES,
    weigh: ({ message }) => byteLength(message.key) + byteLength(message.value),
    // A refused message (too large, say) fails its own caller only; a broker that cannot be reached
    // fails them all at once, instead of each caller waiting out kafkajs's retries again on its own.
    isolateFailure: (error) => !classifyError(error).retryable,
  });
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
    await this.sends.settled();
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
    await this.sends.submit(
      requests.map((request, index) => ({
        topic,
        message: {
          key: request.key,
          value: JSON.stringify(request.payload),
          headers: toHeaders(metadata[index] as EventMetadata),
        },
      })),
    );
    return metadata;
  }

  /** Sends a message as it is (dead letters, redrives): no contract check, headers kept. */
  async publishRaw(topic: string, message: RawMessage): Promise<void> {
    await this.publishRawMany(topic, [message]);
  }

  /** Sends several messages as they are in one request (retry topics); resolves once all are acknowledged. */
  async publishRawMany(topic: string, messages: readonly RawMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.sends.submit(messages.map((message) => ({ topic, message })));
  }

  /** One produce request (per broker) for messages of any topics, in their order per topic. */
  private async sendNow(messages: readonly OutgoingMessage[]): Promise<void> {
    const byTopic = new Map<string, TopicMessages>();
    for (const { topic, message } of messages) {
      const entry = byTopic.get(topic) ?? { topic, messages: [] };
      entry.messages.push(message);
      byTopic.set(topic, entry);
    }
    await this.producer.sendBatch({
      topicMessages: [...byTopic.values()],
      compression: CompressionTypes.None,
    });
  }
}

function byteLength(data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return 0;
  return typeof data === 'string' ? Buffer.byteLength(data) : data.length;
}
