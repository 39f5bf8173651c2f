import { type KafkaMessage } from 'kafkajs';

import { CloudEventHeader } from '@newsflow/contracts';

import { articleMessage } from '../testing/unit-fakes';

import { PermanentError } from './errors';
import {
  RetryHeader,
  firstDelivery,
  originalMessage,
  parseRetryRecord,
  retryHeaders,
  retryTiersOf,
  retryTopicName,
  withoutRetryHeaders,
} from './retry-topics';
import { validateRetryPolicy } from './retry-policy';

describe('retry topic names', () => {
  it('are the group and the tier under news.retry, one per delay', () => {
    expect(retryTopicName('newsflow-storage', 1)).toBe('news.retry.newsflow-storage.1');
    expect(retryTiersOf('g', [1_000, 10_000])).toEqual([
      { tier: 1, topic: 'news.retry.g.1', delayMs: 1_000 },
      { tier: 2, topic: 'news.retry.g.2', delayMs: 10_000 },
    ]);
    expect(retryTiersOf('g', [])).toEqual([]);
  });

  it('refuse a group id that cannot be part of a topic name, naming it', () => {
    expect(() => retryTopicName('storage group', 1)).toThrow(/"storage group" cannot name a Kafka topic/);
    expect(() => retryTopicName('x'.repeat(240), 1)).toThrow(/cannot name a Kafka topic/);
  });
});

describe('validateRetryPolicy', () => {
  const base = { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 };

  it('accepts no retry topics, or up to ten positive delays', () => {
    expect(() => validateRetryPolicy(base)).not.toThrow();
    expect(() => validateRetryPolicy({ ...base, retryTopicDelaysMs: [] })).not.toThrow();
    expect(() => validateRetryPolicy({ ...base, retryTopicDelaysMs: Array(10).fill(5) })).not.toThrow();
  });

  it('refuses what would lose or loop messages, saying what is wrong', () => {
    expect(() => validateRetryPolicy({ ...base, maxAttempts: 0 })).toThrow(
      /maxAttempts must be a positive integer/,
    );
    expect(() => validateRetryPolicy({ ...base, retryTopicDelaysMs: [1_000, 0] })).toThrow(
      /delays must be positive integers.*1000,0/,
    );
    expect(() => validateRetryPolicy({ ...base, retryTopicDelaysMs: [1.5] })).toThrow(/positive integers/);
    expect(() => validateRetryPolicy({ ...base, retryTopicDelaysMs: Array(11).fill(5) })).toThrow(
      /at most 10/,
    );
  });
});

describe('retry records', () => {
  const message = articleMessage(42);
  const history = firstDelivery('news.articles.ingested.v1', 3, message);
  const firstFailureAt = new Date('2026-11-27T10:00:00.000Z');
  const lastFailureAt = new Date('2026-11-27T10:00:02.000Z');
  const headers = retryHeaders({
    groupId: 'newsflow-storage',
    message,
    history,
    tier: { tier: 1, topic: 'news.retry.newsflow-storage.1', delayMs: 10_000 },
    attempts: 3,
    error: { code: 'DB_08006', message: 'connection lost', retryable: true },
    firstFailureAt,
    lastFailureAt,
  });
  const onTier = { ...message, offset: '7', headers } as KafkaMessage;

  it('carry the original headers and where the message stands, due after the tier delay', () => {
    expect(headers[CloudEventHeader.Id]).toEqual(message.headers?.[CloudEventHeader.Id]);
    expect(headers).toMatchObject({
      [RetryHeader.ConsumerGroup]: 'newsflow-storage',
      [RetryHeader.OriginalTopic]: 'news.articles.ingested.v1',
      [RetryHeader.OriginalPartition]: '3',
      [RetryHeader.OriginalOffset]: '42',
      [RetryHeader.Attempts]: '3',
      [RetryHeader.Tier]: '1',
      [RetryHeader.FirstFailureAt]: '2026-11-27T10:00:00.000Z',
      [RetryHeader.LastFailureAt]: '2026-11-27T10:00:02.000Z',
      [RetryHeader.DueAt]: '2026-11-27T10:00:12.000Z',
      [RetryHeader.ErrorCode]: 'DB_08006',
      [RetryHeader.ErrorMessage]: 'connection lost',
    });
  });

  it('read back into the history a tier needs', () => {
    expect(parseRetryRecord(onTier, 1)).toEqual({
      history: {
        origin: { topic: 'news.articles.ingested.v1', partition: 3, offset: '42' },
        tier: 1,
        attemptsBefore: 3,
        firstFailureAt,
      },
      dueAt: new Date('2026-11-27T10:00:12.000Z'),
    });
  });

  it('give back the original message: its offset and its own headers only', () => {
    const original = originalMessage(onTier, parseRetryRecord(onTier, 1).history.origin);
    expect(original.offset).toBe('42');
    expect(original.headers).toEqual(message.headers);
    expect(withoutRetryHeaders(headers)).toEqual(message.headers);
  });

  it('moving on to the next tier replaces the retry headers rather than piling them up', () => {
    const next = retryHeaders({
      groupId: 'newsflow-storage',
      message: onTier,
      history: parseRetryRecord(onTier, 1).history,
      tier: { tier: 2, topic: 'news.retry.newsflow-storage.2', delayMs: 60_000 },
      attempts: 6,
      error: { code: 'TIMEOUT', message: 'timed out', retryable: true },
      firstFailureAt,
      lastFailureAt: new Date('2026-11-27T10:00:15.000Z'),
    });
    expect(next).toMatchObject({
      [RetryHeader.OriginalOffset]: '42',
      [RetryHeader.Tier]: '2',
      [RetryHeader.Attempts]: '6',
      [RetryHeader.FirstFailureAt]: '2026-11-27T10:00:00.000Z',
      [RetryHeader.DueAt]: '2026-11-27T10:01:15.000Z',
    });
  });

  it('without their headers, or with broken ones, are a permanent RETRY_RECORD_INVALID naming the header', () => {
    const broken = (name: string, value: string | undefined) =>
      ({ ...onTier, headers: { ...headers, [name]: value } }) as KafkaMessage;
    const reasons: [KafkaMessage, RegExp][] = [
      [broken(RetryHeader.OriginalTopic, undefined), /no retry_original_topic header/],
      [broken(RetryHeader.OriginalPartition, '-1'), /retry_original_partition is not an integer/],
      [broken(RetryHeader.OriginalOffset, 'x'), /retry_original_offset is not an offset/],
      [broken(RetryHeader.Attempts, '0'), /retry_attempts is not an integer ≥ 1/],
      [broken(RetryHeader.DueAt, 'soon'), /retry_due_at is not a time/],
    ];
    for (const [record, reason] of reasons) {
      let thrown: unknown;
      try {
        parseRetryRecord(record, 1);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(PermanentError);
      expect(thrown).toMatchObject({ code: 'RETRY_RECORD_INVALID', message: expect.stringMatching(reason) });
    }
    expect(() => parseRetryRecord(articleMessage(1), 2)).toThrow(/retry tier 2 has no retry_original_offset/);
  });
});
