import { type IHeaders, type KafkaMessage } from 'kafkajs';

import { DeadLetterHeader, Topic } from '@newsflow/contracts';

import { type DeadLetterContext, deadLetterHeaders, sendToDeadLetterTopic } from './dead-letter';
import { type EventPublisher, type RawMessage } from './publisher';

/** A message from a record batch (Kafka >= 0.11): the kind that carries headers. */
type RecordMessage = Extract<KafkaMessage, { headers: IHeaders }>;
/** A message from a legacy message set: no headers at all. */
type LegacyMessage = Extract<KafkaMessage, { size: number }>;

function message(overrides: Partial<RecordMessage> = {}): RecordMessage {
  return {
    key: Buffer.from('0123456789abcdef0123456789abcdef'),
    value: Buffer.from('{"not":"valid"}'),
    timestamp: '1700000000000',
    attributes: 0,
    offset: '42',
    headers: {
      ce_id: Buffer.from('3b1f6a3e-0000-4000-8000-000000000001'),
      ce_type: Buffer.from('dev.newsflow.article.ingested.v1'),
      traceparent: Buffer.from('00-0123456789abcdef0123456789abcdef-0123456789abcdef-01'),
    },
    ...overrides,
  };
}

function context(overrides: Partial<DeadLetterContext> = {}): DeadLetterContext {
  return {
    stage: 'enrichment',
    consumerGroup: 'newsflow-enrichment',
    topic: Topic.ArticleIngestedV1,
    partition: 3,
    message: message(),
    error: {
      code: 'VALIDATION_FAILED',
      message: 'id: must be 32 lowercase hex characters',
      retryable: false,
    },
    attempts: 1,
    firstFailureAt: new Date('2026-01-01T10:00:00.000Z'),
    lastFailureAt: new Date('2026-01-01T10:00:05.000Z'),
    ...overrides,
  };
}

describe('deadLetterHeaders', () => {
  it('keeps every original header, byte for byte', () => {
    const original = message();
    const headers = deadLetterHeaders(context({ message: original }));
    for (const [name, value] of Object.entries(original.headers)) {
      expect(headers[name]).toBe(value);
    }
  });

  it('adds every dlq_* header with the failure context', () => {
    const headers = deadLetterHeaders(context({ attempts: 5 }));
    expect(headers).toMatchObject({
      [DeadLetterHeader.Stage]: 'enrichment',
      [DeadLetterHeader.ConsumerGroup]: 'newsflow-enrichment',
      [DeadLetterHeader.OriginalTopic]: Topic.ArticleIngestedV1,
      [DeadLetterHeader.OriginalPartition]: '3',
      [DeadLetterHeader.OriginalOffset]: '42',
      [DeadLetterHeader.ErrorCode]: 'VALIDATION_FAILED',
      [DeadLetterHeader.ErrorMessage]: 'id: must be 32 lowercase hex characters',
      [DeadLetterHeader.Attempts]: '5',
      [DeadLetterHeader.FirstFailureAt]: '2026-01-01T10:00:00.000Z',
      [DeadLetterHeader.LastFailureAt]: '2026-01-01T10:00:05.000Z',
    });
    // No dlq_* header defined in the contract is left out, and every value is a string.
    for (const name of Object.values(DeadLetterHeader)) {
      expect(typeof headers[name]).toBe('string');
    }
  });

  it('has exactly the original headers plus the dlq_* headers', () => {
    const original = message();
    const headers = deadLetterHeaders(context({ message: original }));
    expect(Object.keys(headers).sort()).toEqual(
      [...Object.keys(original.headers), ...Object.values(DeadLetterHeader)].sort(),
    );
  });

  it('works for a message without headers', () => {
    const legacy: LegacyMessage = {
      key: null,
      value: Buffer.from('{}'),
      timestamp: '1700000000000',
      attributes: 0,
      offset: '7',
      size: 2,
    };
    const headers = deadLetterHeaders(context({ message: legacy }));
    expect(headers[DeadLetterHeader.OriginalOffset]).toBe('7');
    expect(Object.keys(headers).sort()).toEqual([...Object.values(DeadLetterHeader)].sort());
  });

  it('overwrites dlq_* headers of a message that was dead-lettered before (a failed redrive)', () => {
    const redriven = message({
      headers: {
        ...message().headers,
        [DeadLetterHeader.ErrorCode]: Buffer.from('OLD_CODE'),
        [DeadLetterHeader.Attempts]: Buffer.from('9'),
      },
    });
    const headers = deadLetterHeaders(context({ message: redriven, attempts: 2 }));
    expect(headers[DeadLetterHeader.ErrorCode]).toBe('VALIDATION_FAILED');
    expect(headers[DeadLetterHeader.Attempts]).toBe('2');
  });

  it('truncates a very long error message to 2000 characters', () => {
    const long = 'x'.repeat(10_000);
    const headers = deadLetterHeaders(
      context({ error: { code: 'UNEXPECTED', message: long, retryable: true } }),
    );
    expect(headers[DeadLetterHeader.ErrorMessage]).toBe('x'.repeat(2_000));
  });

  it('does not modify the original message headers', () => {
    const original = message();
    const before = { ...original.headers };
    deadLetterHeaders(context({ message: original }));
    expect(original.headers).toEqual(before);
  });
});

describe('sendToDeadLetterTopic', () => {
  it('publishes the original key and value with the dead-letter headers to news.dlq.v1', async () => {
    const sent: { topic: string; message: RawMessage }[] = [];
    const publisher = {
      publishRaw: async (topic: string, raw: RawMessage) => {
        sent.push({ topic, message: raw });
      },
    } as unknown as EventPublisher;
    const ctx = context();

    await sendToDeadLetterTopic(publisher, ctx);

    expect(sent).toHaveLength(1);
    expect(sent[0]?.topic).toBe(Topic.DeadLetterV1);
    expect(sent[0]?.message.key).toBe(ctx.message.key);
    expect(sent[0]?.message.value).toBe(ctx.message.value);
    expect(sent[0]?.message.headers).toEqual(deadLetterHeaders(ctx));
  });

  it('passes a publish failure on to the caller (the message must not be committed)', async () => {
    const publisher = {
      publishRaw: async () => {
        throw new Error('broker down');
      },
    } as unknown as EventPublisher;
    await expect(sendToDeadLetterTopic(publisher, context())).rejects.toThrow('broker down');
  });
});
