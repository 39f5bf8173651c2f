import { type IHeaders, type KafkaMessage } from 'kafkajs';

import { DeadLetterHeader } from '@newsflow/contracts';

import { decodeDeadLetter, failureContext } from './dead-letter';
import { deadLetterId, parseDeadLetterId } from './dead-letter-id';

function message(headers: IHeaders): KafkaMessage {
  return {
    key: Buffer.from('article-1'),
    value: Buffer.from('{"id":"article-1"}'),
    headers,
    offset: '42',
    timestamp: String(Date.parse('2026-11-27T08:00:00.000Z')),
    attributes: 0,
  };
}

describe('dead-letter ids', () => {
  it('are <partition>-<offset>, and parse back without leading zeros', () => {
    expect(deadLetterId({ partition: 3, offset: '17' })).toBe('3-17');
    expect(parseDeadLetterId('3-17')).toEqual({ partition: 3, offset: '17' });
    expect(parseDeadLetterId(' 003-0017 ')).toEqual({ partition: 3, offset: '17' });
    expect(parseDeadLetterId('3-9223372036854775807')).toEqual({
      partition: 3,
      offset: '9223372036854775807',
    });
    for (const bad of ['3', '3-', '-17', '3-17-1', 'a-1', '3 17'])
      expect(parseDeadLetterId(bad)).toBeUndefined();
  });
});

describe('decodeDeadLetter', () => {
  const headers = {
    ce_id: Buffer.from('event-1'),
    traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
    [DeadLetterHeader.Stage]: Buffer.from('storage'),
    [DeadLetterHeader.ConsumerGroup]: Buffer.from('newsflow-storage'),
    [DeadLetterHeader.OriginalTopic]: Buffer.from('news.articles.ingested.v1'),
    [DeadLetterHeader.OriginalPartition]: Buffer.from('5'),
    [DeadLetterHeader.OriginalOffset]: Buffer.from('1234'),
    [DeadLetterHeader.ErrorCode]: Buffer.from('VALIDATION_FAILED'),
    [DeadLetterHeader.ErrorMessage]: Buffer.from('payload does not match'),
    [DeadLetterHeader.Attempts]: Buffer.from('1'),
    [DeadLetterHeader.FirstFailureAt]: Buffer.from('2026-11-27T07:59:59.000Z'),
    [DeadLetterHeader.LastFailureAt]: Buffer.from('2026-11-27T08:00:00.000Z'),
    custom: [Buffer.from('a'), Buffer.from('b')],
  };

  it('reads the failure context from the dlq_* headers and keeps the others as the original headers', () => {
    const deadLetter = decodeDeadLetter(2, message(headers));
    expect(deadLetter).toMatchObject({
      id: '2-42',
      partition: 2,
      offset: '42',
      deadLetteredAt: new Date('2026-11-27T08:00:00.000Z'),
      failure: {
        stage: 'storage',
        consumerGroup: 'newsflow-storage',
        originalTopic: 'news.articles.ingested.v1',
        originalPartition: 5,
        originalOffset: '1234',
        errorCode: 'VALIDATION_FAILED',
        errorMessage: 'payload does not match',
        attempts: 1,
        firstFailureAt: '2026-11-27T07:59:59.000Z',
        lastFailureAt: '2026-11-27T08:00:00.000Z',
      },
    });
    expect(Object.keys(deadLetter.originalHeaders)).toEqual(['ce_id', 'traceparent', 'custom']);
    expect(deadLetter.originalHeaders['custom']).toEqual([Buffer.from('a'), Buffer.from('b')]);
    expect(deadLetter.key?.toString()).toBe('article-1');
  });

  it('leaves out what a producer did not say, rather than inventing it', () => {
    expect(
      failureContext({ [DeadLetterHeader.Attempts]: 'many', [DeadLetterHeader.Stage]: 'storage' }),
    ).toEqual({
      stage: 'storage',
      consumerGroup: undefined,
      originalTopic: undefined,
      originalPartition: undefined,
      originalOffset: undefined,
      errorCode: undefined,
      errorMessage: undefined,
      attempts: undefined,
      firstFailureAt: undefined,
      lastFailureAt: undefined,
    });
    expect(decodeDeadLetter(0, message({})).originalHeaders).toEqual({});
  });
});
