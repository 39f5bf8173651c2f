import { type ArticleIngestedV1, DeadLetterHeader, Topic } from '@newsflow/contracts';

import { sampleIngestedArticle } from '../testing/kafka-testing';
import { articleMessage, recordingPublisher } from '../testing/unit-fakes';

import { type ChunkInput, processChunk } from './chunk-processor';
import { type ConsumedBatch, type ConsumerObserver } from './consumed-event';
import { PermanentError, TransientError } from './errors';
import { silentLogger } from './logger';
import { type PartitionControl } from './partition-control';
import { type ProcessingContext } from './processing-context';
import { RetryHeader } from './retry-topics';

const FAST: ProcessingContext['retryPolicy'] = { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 };

function setup(options: { shouldStop?: () => boolean; maxAttempts?: number } = {}) {
  const { publisher, sent } = recordingPublisher();
  const retried: string[] = [];
  const observer: ConsumerObserver = {
    onOutcome: ({ outcome, code }) => {
      if (outcome === 'retried') retried.push(code ?? '');
    },
  };
  const context: ProcessingContext = {
    stage: 'unit',
    groupId: 'unit-group',
    publisher,
    logger: silentLogger,
    retryPolicy: { ...FAST, maxAttempts: options.maxAttempts ?? FAST.maxAttempts },
    retryTiers: [],
    deadLetterTopic: Topic.DeadLetterV1,
    observer,
  };
  const control: PartitionControl = {
    heartbeat: async () => undefined,
    shouldStop: options.shouldStop ?? (() => false),
  };
  return { context, control, sent, retried };
}

/** Articles with fresh ids, and their messages at offsets 10, 11, ... */
function articles(count: number): { list: ArticleIngestedV1[]; input: Pick<ChunkInput, 'messages'> } {
  const list = Array.from({ length: count }, () => sampleIngestedArticle());
  return { list, input: { messages: list.map((article, index) => articleMessage(10 + index, article)) } };
}

function chunk(
  base: { control: PartitionControl },
  messages: ChunkInput['messages'],
  dispatch: ChunkInput['dispatch'],
): ChunkInput {
  return {
    topic: 'news.articles.ingested.v1',
    contractTopic: Topic.ArticleIngestedV1,
    partition: 4,
    messages,
    control: base.control,
    dispatch,
  };
}

const idsOf = (batch: ConsumedBatch) => batch.events.map((event) => (event.payload as ArticleIngestedV1).id);

describe('processChunk', () => {
  it('hands every valid message to the batch handler in one call, typed and in offset order', async () => {
    const base = setup();
    const { list, input } = articles(4);
    const calls: ConsumedBatch[] = [];
    const result = await processChunk(
      base.context,
      chunk(base, input.messages, async (batch) => {
        calls.push(batch);
      }),
    );

    expect(result).toEqual({
      size: 4,
      handled: 4,
      deadLettered: [],
      retryScheduled: [],
      fellBackToSingle: false,
    });
    expect(calls).toHaveLength(1);
    const [batch] = calls as [ConsumedBatch];
    expect(batch.topic).toBe(Topic.ArticleIngestedV1);
    expect(batch.partition).toBe(4);
    expect(batch.attempt).toBe(1);
    expect(batch.events.map((event) => event.offset)).toEqual(['10', '11', '12', '13']);
    expect(batch.events.map((event) => event.payload)).toEqual(list);
    expect(batch.events.map((event) => event.attempt)).toEqual([1, 1, 1, 1]);
    expect(batch.events.map((event) => event.key)).toEqual(list.map((article) => article.id));
    expect(batch.events[0]?.metadata.source).toBe('/unit-test');
    expect(base.sent).toEqual([]);
  });

  it('dead-letters invalid messages on their own, with context, and hands the rest to the handler', async () => {
    const base = setup();
    const good = [sampleIngestedArticle(), sampleIngestedArticle()];
    const messages = [
      articleMessage(20, good[0]),
      articleMessage(21, '{"not json'),
      articleMessage(22, JSON.stringify({ ...sampleIngestedArticle(), id: 'NOT-AN-ID' })),
      articleMessage(23, good[1]),
    ];
    const calls: ConsumedBatch[] = [];
    const result = await processChunk(
      base.context,
      chunk(base, messages, async (batch) => {
        calls.push(batch);
      }),
    );

    expect(calls.map(idsOf)).toEqual([good.map((article) => article.id)]);
    expect(result).toEqual({
      size: 4,
      handled: 2,
      deadLettered: [
        expect.objectContaining({ code: 'MALFORMED_JSON' }),
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      ],
      retryScheduled: [],
      fellBackToSingle: false,
    });
    expect(base.sent.map((letter) => letter.topic)).toEqual([Topic.DeadLetterV1, Topic.DeadLetterV1]);
    expect(base.sent.map((letter) => letter.headers)).toEqual([
      expect.objectContaining({
        [DeadLetterHeader.ErrorCode]: 'MALFORMED_JSON',
        [DeadLetterHeader.OriginalOffset]: '21',
        [DeadLetterHeader.OriginalPartition]: '4',
        [DeadLetterHeader.OriginalTopic]: 'news.articles.ingested.v1',
        [DeadLetterHeader.ConsumerGroup]: 'unit-group',
        [DeadLetterHeader.Stage]: 'unit',
        [DeadLetterHeader.Attempts]: '1',
      }),
      expect.objectContaining({
        [DeadLetterHeader.ErrorCode]: 'VALIDATION_FAILED',
        [DeadLetterHeader.OriginalOffset]: '22',
      }),
    ]);
  });

  it('dead-letters a chunk of only invalid messages without calling the handler', async () => {
    const base = setup();
    const dispatch = jest.fn(async () => undefined);
    const result = await processChunk(
      base.context,
      chunk(base, [articleMessage(1, 'nope'), articleMessage(2, '[]')], dispatch),
    );
    expect(dispatch).not.toHaveBeenCalled();
    expect(result).toMatchObject({ size: 2, handled: 0, fellBackToSingle: false });
    expect(base.sent).toHaveLength(2);
  });

  it('retries the whole batch after a transient failure, then succeeds without dead letters', async () => {
    const base = setup();
    const { input } = articles(3);
    const attempts: number[] = [];
    const result = await processChunk(
      base.context,
      chunk(base, input.messages, async (batch) => {
        attempts.push(batch.attempt);
        expect(batch.events.every((event) => event.attempt === batch.attempt)).toBe(true);
        if (batch.attempt < 3) throw new TransientError('DB_DOWN', 'database restarting');
      }),
    );
    expect(attempts).toEqual([1, 2, 3]);
    expect(base.retried).toEqual(['DB_DOWN', 'DB_DOWN']);
    expect(result).toEqual({
      size: 3,
      handled: 3,
      deadLettered: [],
      retryScheduled: [],
      fellBackToSingle: false,
    });
    expect(base.sent).toEqual([]);
  });

  it('falls back to one message per call after a permanent failure: the poison message is dead-lettered, the rest handled', async () => {
    const base = setup();
    const { list, input } = articles(4);
    const poison = list[2] as ArticleIngestedV1;
    const calls: { ids: string[]; attempt: number }[] = [];
    const result = await processChunk(
      base.context,
      chunk(base, input.messages, async (batch) => {
        calls.push({ ids: idsOf(batch), attempt: batch.attempt });
        if (idsOf(batch).includes(poison.id)) throw new PermanentError('POISON', `cannot store ${poison.id}`);
      }),
    );

    expect(calls).toEqual([
      { ids: list.map((article) => article.id), attempt: 1 },
      ...list.map((article) => ({ ids: [article.id], attempt: 2 })),
    ]);
    expect(result).toEqual({
      size: 4,
      handled: 3,
      deadLettered: [expect.objectContaining({ code: 'POISON', retryable: false })],
      retryScheduled: [],
      fellBackToSingle: true,
    });
    expect(base.sent).toHaveLength(1);
    expect(base.sent[0]?.key).toBe(poison.id);
    expect(base.sent[0]?.headers).toMatchObject({
      [DeadLetterHeader.ErrorCode]: 'POISON',
      [DeadLetterHeader.ErrorMessage]: `cannot store ${poison.id}`,
      [DeadLetterHeader.OriginalOffset]: '12',
      // Once in the batch, once on its own.
      [DeadLetterHeader.Attempts]: '2',
    });
  });

  it('falls back after the batch used up its retries, and retries each message on its own budget', async () => {
    const base = setup({ maxAttempts: 2 });
    const { list, input } = articles(3);
    const flaky = list[1] as ArticleIngestedV1;
    const singleAttempts = new Map<string, number[]>();
    const result = await processChunk(
      base.context,
      chunk(base, input.messages, async (batch) => {
        // The batch as a whole always fails (say it times out); alone, the flaky one needs two tries.
        if (batch.events.length > 1) throw new TransientError('TIMEOUT', 'statement timeout');
        const id = idsOf(batch)[0] as string;
        singleAttempts.set(id, [...(singleAttempts.get(id) ?? []), batch.attempt]);
        if (id === flaky.id && batch.attempt === 3) throw new TransientError('TIMEOUT', 'once more');
      }),
    );
    expect(result).toEqual({
      size: 3,
      handled: 3,
      deadLettered: [],
      retryScheduled: [],
      fellBackToSingle: true,
    });
    // Attempts go on from the batch's two.
    expect(singleAttempts.get(flaky.id)).toEqual([3, 4]);
    expect(singleAttempts.get((list[0] as ArticleIngestedV1).id)).toEqual([3]);
    expect(base.retried).toEqual(['TIMEOUT', 'TIMEOUT']);
    expect(base.sent).toEqual([]);
  });

  it('dead-letters every message that keeps failing on its own: never retried forever', async () => {
    const base = setup({ maxAttempts: 2 });
    const { input } = articles(2);
    let calls = 0;
    const result = await processChunk(
      base.context,
      chunk(base, input.messages, async () => {
        calls += 1;
        throw new Error('bug');
      }),
    );
    // 2 batch attempts, then 2 attempts for each of the 2 messages.
    expect(calls).toBe(6);
    expect(result).toMatchObject({ handled: 0, fellBackToSingle: true });
    expect(base.sent.map((letter) => letter.headers[DeadLetterHeader.Attempts])).toEqual(['4', '4']);
    expect(base.sent.map((letter) => letter.headers[DeadLetterHeader.ErrorCode])).toEqual([
      'UNEXPECTED',
      'UNEXPECTED',
    ]);
  });

  it('dead-letters a batch of one directly when it fails for good: there is nothing to split', async () => {
    const base = setup();
    const { input } = articles(1);
    let calls = 0;
    const result = await processChunk(
      base.context,
      chunk(base, input.messages, async () => {
        calls += 1;
        throw new PermanentError('POISON', 'no');
      }),
    );
    expect(calls).toBe(1);
    expect(result).toEqual({
      size: 1,
      handled: 0,
      deadLettered: [expect.objectContaining({ code: 'POISON' })],
      retryScheduled: [],
      fellBackToSingle: false,
    });
    expect(base.sent[0]?.headers[DeadLetterHeader.Attempts]).toBe('1');
  });

  it('is interrupted by a shutdown during the retries: nothing is dead-lettered, not even the invalid messages', async () => {
    let stopping = false;
    const base = setup({ shouldStop: () => stopping });
    const { input } = articles(2);
    const result = await processChunk(
      base.context,
      chunk(base, [...input.messages, articleMessage(99, 'not json')], async () => {
        stopping = true;
        throw new TransientError('DB_DOWN', 'down');
      }),
    );
    expect(result).toBe('interrupted');
    expect(base.sent).toEqual([]);
  });

  it('is interrupted between messages of the fallback when the consumer stops', async () => {
    let stopping = false;
    const base = setup({ shouldStop: () => stopping });
    const { input } = articles(3);
    const singles: number[] = [];
    const result = await processChunk(
      base.context,
      chunk(base, input.messages, async (batch) => {
        if (batch.events.length > 1) throw new PermanentError('POISON', 'somewhere in here');
        singles.push(batch.events.length);
        stopping = true;
      }),
    );
    expect(result).toBe('interrupted');
    expect(singles).toEqual([1]);
    expect(base.sent).toEqual([]);
  });

  describe('with retry topics', () => {
    const tiers = [
      { tier: 1, topic: 'news.retry.unit-group.1', delayMs: 1_000 },
      { tier: 2, topic: 'news.retry.unit-group.2', delayMs: 10_000 },
    ];

    it('sends the whole chunk to the first tier once its retries in place are used up, handling none alone', async () => {
      const base = setup({ maxAttempts: 2 });
      const context = { ...base.context, retryTiers: tiers };
      const { list, input } = articles(3);
      const calls: number[] = [];
      const result = await processChunk(
        context,
        chunk(base, [...input.messages, articleMessage(99, 'not json')], async (batch) => {
          calls.push(batch.events.length);
          throw new TransientError('DB_08006', 'connection lost');
        }),
      );
      // Two attempts of the batch; no fallback that would hit the database once per message.
      expect(calls).toEqual([3, 3]);
      expect(result).toEqual({
        size: 4,
        handled: 0,
        deadLettered: [expect.objectContaining({ code: 'MALFORMED_JSON' })],
        retryScheduled: list.map(() => expect.objectContaining({ code: 'DB_08006', retryable: true })),
        fellBackToSingle: false,
      });
      const retries = base.sent.filter((record) => record.topic === 'news.retry.unit-group.1');
      expect(retries.map((record) => record.key)).toEqual(list.map((article) => article.id));
      expect(retries.map((record) => record.headers[RetryHeader.OriginalOffset])).toEqual(['10', '11', '12']);
      expect(retries.map((record) => record.headers[RetryHeader.Attempts])).toEqual(['2', '2', '2']);
      // The invalid message is permanent: straight to the dead-letter topic, never to a retry topic.
      expect(base.sent.filter((record) => record.topic === Topic.DeadLetterV1).map((r) => r.key)).toEqual([
        'raw-99',
      ]);
      // Each message sent to the retry topic counts as a retry, beside the batch's one retry in place.
      expect(base.retried).toEqual(['DB_08006', 'DB_08006', 'DB_08006', 'DB_08006']);
    });

    it('after a permanent batch failure, dead-letters the poison and sends one failing transiently on its own to the first tier', async () => {
      const base = setup({ maxAttempts: 2 });
      const context = { ...base.context, retryTiers: tiers };
      const { list, input } = articles(3);
      const [poison, flaky] = [list[0] as ArticleIngestedV1, list[2] as ArticleIngestedV1];
      const result = await processChunk(
        context,
        chunk(base, input.messages, async (batch) => {
          const ids = idsOf(batch);
          if (ids.includes(poison.id)) throw new PermanentError('POISON', 'cannot store it');
          if (ids.includes(flaky.id)) throw new TransientError('TIMEOUT', 'statement timeout');
        }),
      );
      expect(result).toMatchObject({ handled: 1, fellBackToSingle: true });
      expect(base.sent.map((record) => [record.topic, record.key])).toEqual([
        [Topic.DeadLetterV1, poison.id],
        ['news.retry.unit-group.1', flaky.id],
      ]);
      // One batch attempt, then two alone.
      expect(base.sent[1]?.headers[RetryHeader.Attempts]).toBe('3');
    });
  });
});
