import {
  type Consumer,
  type ConsumerConfig,
  type ConsumerRunConfig,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Offsets,
} from 'kafkajs';

import { type ArticleIngestedV1, DeadLetterHeader, Topic } from '@newsflow/contracts';

import { articleMessage, recordingPublisher } from '../testing/unit-fakes';

import { type BatchReport, type ConsumedBatch, type ConsumedEvent } from './consumed-event';
import { type ConsumerRunnerOptions, ConsumerRunner, fetchSizes, fetchWaits } from './consumer-runner';
import { TransientError } from './errors';
import { RetryHeader } from './retry-topics';
import { silentLogger } from './logger';

/** A kafkajs client whose consumer records its settings and lets the test feed it fetched batches. */
function fakeKafka() {
  const state = {
    subscribed: [] as string[],
    /** Each subscribe call: its topics and whether they are read from the beginning. */
    subscriptions: [] as { topics: string[]; fromBeginning: boolean }[],
    runConfig: undefined as ConsumerRunConfig | undefined,
    consumerConfig: undefined as ConsumerConfig | undefined,
    /** Topics the admin client created (retry topics), with their partition counts. */
    created: [] as { topic: string; numPartitions?: number }[],
  };
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join', CRASH: 'consumer.crash', DISCONNECT: 'consumer.disconnect' },
    on: () => () => undefined,
    connect: async () => undefined,
    subscribe: async ({ topics, fromBeginning }: { topics: string[]; fromBeginning: boolean }) => {
      state.subscribed.push(...topics);
      state.subscriptions.push({ topics, fromBeginning });
    },
    run: async (config: ConsumerRunConfig) => {
      state.runConfig = config;
    },
    disconnect: async () => undefined,
  } as unknown as Consumer;
  const admin = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    listTopics: async () => [Topic.ArticleIngestedV1, ...state.created.map(({ topic }) => topic)],
    // The source topic has 4 partitions; every topic has a leader.
    fetchTopicMetadata: async ({ topics }: { topics: string[] }) => ({
      topics: topics.map((name) => ({
        name,
        partitions: [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1, replicas: [1] })),
      })),
    }),
    createTopics: async ({ topics }: { topics: { topic: string; numPartitions?: number }[] }) => {
      state.created.push(...topics.map(({ topic, numPartitions }) => ({ topic, numPartitions })));
      return true;
    },
  };
  const kafka = {
    consumer: (config: ConsumerConfig) => {
      state.consumerConfig = config;
      return consumer;
    },
    admin: () => admin,
  } as unknown as Kafka;
  return { kafka, state };
}

/** A fetched partition batch, recording what the runner does with it, in order. */
function fetchedBatch(
  topic: string,
  messages: KafkaMessage[],
  options: { isRunning?: () => boolean; isStale?: () => boolean; log?: string[]; partition?: number } = {},
) {
  const log = options.log ?? [];
  const pause = () => {
    log.push('pause');
    return () => log.push('resume');
  };
  const payload = {
    batch: {
      topic,
      partition: options.partition ?? 2,
      highWatermark: '1000',
      messages,
      isEmpty: () => messages.length === 0,
      firstOffset: () => messages[0]?.offset ?? null,
      lastOffset: () => messages[messages.length - 1]?.offset ?? '-1',
      offsetLag: () => '0',
      offsetLagLow: () => '0',
    },
    resolveOffset: (offset: string) => log.push(`resolve ${offset}`),
    heartbeat: async () => undefined,
    pause,
    commitOffsetsIfNecessary: async (offsets?: Offsets) => {
      for (const { topic: committedTopic, partitions } of offsets?.topics ?? []) {
        for (const { partition, offset } of partitions)
          log.push(`commit ${committedTopic}[${partition}]@${offset}`);
      }
    },
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: options.isRunning ?? (() => true),
    isStale: options.isStale ?? (() => false),
  } satisfies EachBatchPayload;
  return { payload, log };
}

async function startedRunner(overrides: Partial<ConsumerRunnerOptions> = {}) {
  const { kafka, state } = fakeKafka();
  const { publisher, sent } = recordingPublisher();
  const runner = new ConsumerRunner({
    kafka,
    groupId: 'unit-group',
    stage: 'unit',
    topics: [Topic.ArticleIngestedV1],
    dispatch: async () => undefined,
    publisher,
    logger: silentLogger,
    retryPolicy: { maxAttempts: 3, initialBackoffMs: 1, maxBackoffMs: 2 },
    ...overrides,
  });
  await runner.start();
  const eachBatch = state.runConfig?.eachBatch;
  if (!eachBatch) throw new Error('the runner did not run with eachBatch');
  return { runner, state, sent, eachBatch };
}

const offsetsOf = (batch: ConsumedBatch) => batch.events.map((event) => event.offset);
const messagesAt = (...offsets: number[]) => offsets.map((offset) => articleMessage(offset));

describe('ConsumerRunner', () => {
  it('consumes through eachBatch with nothing committed or resolved by kafkajs itself', async () => {
    const { state } = await startedRunner();
    expect(state.runConfig).toMatchObject({ autoCommit: false, eachBatchAutoResolve: false });
    expect(state.runConfig?.eachMessage).toBeUndefined();
    expect(state.subscribed).toEqual([Topic.ArticleIngestedV1]);
  });

  it("keeps kafkajs's fetch sizes by default, and fetches a full partition batch per concurrent partition", async () => {
    const defaults = await startedRunner();
    expect(defaults.state.consumerConfig).toMatchObject({
      maxBytesPerPartition: 1_048_576,
      maxBytes: 10_485_760,
    });
    const large = await startedRunner({ maxBytesPerPartition: 8_388_608, partitionsConsumedConcurrently: 3 });
    expect(large.state.consumerConfig).toMatchObject({
      maxBytesPerPartition: 8_388_608,
      maxBytes: 25_165_824,
    });
    expect(() => fetchSizes({ maxBytesPerPartition: 0 })).toThrow(/maxBytesPerPartition/);
  });

  it('has a fetch wait for 64 KiB or 200 ms by default, and takes other values', async () => {
    const defaults = await startedRunner();
    expect(defaults.state.consumerConfig).toMatchObject({ minBytes: 65_536, maxWaitTimeInMs: 200 });
    const immediate = await startedRunner({ fetchMinBytes: 1, fetchMaxWaitMs: 1_000 });
    expect(immediate.state.consumerConfig).toMatchObject({ minBytes: 1, maxWaitTimeInMs: 1_000 });
    expect(() => fetchWaits({ fetchMinBytes: 0 })).toThrow(/fetchMinBytes/);
    expect(() => fetchWaits({ fetchMaxWaitMs: 1.5 })).toThrow(/fetchMaxWaitMs/);
  });

  it('commits the partitions handled at the same moment in one request, each after its own work', async () => {
    const { eachBatch } = await startedRunner();
    const log: string[] = [];
    const requests: number[] = [];
    const batches = [1, 2, 3].map((partition) => {
      const { payload } = fetchedBatch(Topic.ArticleIngestedV1, messagesAt(10 * partition), {
        log,
        partition,
      });
      const commit = payload.commitOffsetsIfNecessary;
      payload.commitOffsetsIfNecessary = async (offsets?: Offsets) => {
        requests.push(offsets?.topics.flatMap((topic) => topic.partitions).length ?? 0);
        await commit(offsets);
      };
      return payload;
    });

    await Promise.all(batches.map((payload) => eachBatch(payload)));

    expect(requests).toEqual([3]);
    expect(log.filter((line) => line.startsWith('commit')).sort()).toEqual([
      `commit ${Topic.ArticleIngestedV1}[1]@11`,
      `commit ${Topic.ArticleIngestedV1}[2]@21`,
      `commit ${Topic.ArticleIngestedV1}[3]@31`,
    ]);
    // Each partition's fetch position moves only once its commit is acknowledged.
    for (const offset of ['10', '20', '30']) {
      expect(log.indexOf(`resolve ${offset}`)).toBeGreaterThan(
        log.lastIndexOf(`commit ${Topic.ArticleIngestedV1}[1]@11`),
      );
    }
  });

  describe('a batch topic', () => {
    it('hands chunks of at most maxBatchSize to the batch handler and commits each after its handler resolved', async () => {
      const log: string[] = [];
      const { eachBatch } = await startedRunner({
        batch: {
          topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: 2 }],
          dispatch: async (batch) => {
            log.push(`start ${offsetsOf(batch).join(',')}`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            log.push(`done ${offsetsOf(batch).join(',')}`);
          },
        },
        dispatch: async () => {
          throw new Error('the single-message handler must not be called for a batch topic');
        },
      });
      // The runner's commits and the handler's calls in one timeline.
      const fetched = fetchedBatch(Topic.ArticleIngestedV1, messagesAt(10, 11, 12, 13, 14), { log });
      await eachBatch(fetched.payload);

      expect(log).toEqual([
        'start 10,11',
        'done 10,11',
        `commit ${Topic.ArticleIngestedV1}[2]@12`,
        'resolve 11',
        'start 12,13',
        'done 12,13',
        `commit ${Topic.ArticleIngestedV1}[2]@14`,
        'resolve 13',
        'start 14',
        'done 14',
        `commit ${Topic.ArticleIngestedV1}[2]@15`,
        'resolve 14',
      ]);
    });

    it('commits past dead-lettered messages too, and reports sizes and outcomes to the observer', async () => {
      const batches: BatchReport[] = [];
      const outcomes: string[] = [];
      const { eachBatch, sent } = await startedRunner({
        batch: {
          topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: 10 }],
          dispatch: async () => undefined,
        },
        observer: {
          onOutcome: ({ outcome, code }) => outcomes.push(code ? `${outcome}:${code}` : outcome),
          onBatch: (report) => batches.push(report),
        },
      });
      const fetched = fetchedBatch(Topic.ArticleIngestedV1, [
        articleMessage(0),
        articleMessage(1, 'not json'),
        articleMessage(2),
      ]);
      await eachBatch(fetched.payload);

      expect(fetched.log).toEqual([`commit ${Topic.ArticleIngestedV1}[2]@3`, 'resolve 2']);
      expect(sent.map((letter) => letter.headers[DeadLetterHeader.OriginalOffset])).toEqual(['1']);
      expect(outcomes).toEqual(['success', 'success', 'dead_lettered:MALFORMED_JSON']);
      expect(batches).toEqual([
        {
          topic: Topic.ArticleIngestedV1,
          size: 3,
          deadLettered: 1,
          retryScheduled: 0,
          fellBackToSingle: false,
          durationSeconds: expect.any(Number),
        },
      ]);
    });

    it('stops between chunks once the consumer stops running: the rest stays uncommitted', async () => {
      let running = true;
      const handled: string[][] = [];
      const { eachBatch } = await startedRunner({
        batch: {
          topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: 2 }],
          dispatch: async (batch) => {
            handled.push(offsetsOf(batch));
            running = false;
          },
        },
      });
      const fetched = fetchedBatch(Topic.ArticleIngestedV1, messagesAt(0, 1, 2, 3), {
        isRunning: () => running,
      });
      await eachBatch(fetched.payload);

      // The chunk whose side effect happened is committed; the next one is not started.
      expect(handled).toEqual([['0', '1']]);
      expect(fetched.log).toEqual([`commit ${Topic.ArticleIngestedV1}[2]@2`, 'resolve 1']);
    });

    it('commits nothing when a shutdown interrupts the retries of a failing chunk', async () => {
      const { runner, eachBatch, sent } = await startedRunner({
        retryPolicy: { maxAttempts: 5, initialBackoffMs: 60_000, maxBackoffMs: 60_000 },
        batch: {
          topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: 10 }],
          dispatch: async () => {
            throw new TransientError('DB_DOWN', 'down');
          },
        },
      });
      const fetched = fetchedBatch(Topic.ArticleIngestedV1, messagesAt(0, 1));
      const processing = eachBatch(fetched.payload);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const started = Date.now();
      await runner.stop();
      await processing;
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(fetched.log).toEqual([]);
      expect(sent).toEqual([]);
    });

    it('does not touch a partition whose position was moved (isStale)', async () => {
      const dispatch = jest.fn(async () => undefined);
      const { eachBatch } = await startedRunner({
        batch: { topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: 10 }], dispatch },
      });
      const fetched = fetchedBatch(Topic.ArticleIngestedV1, messagesAt(0, 1), { isStale: () => true });
      await eachBatch(fetched.payload);
      expect(dispatch).not.toHaveBeenCalled();
      expect(fetched.log).toEqual([]);
    });
  });

  describe('a topic consumed one message at a time', () => {
    it('dispatches and commits message by message, beside batch topics of the same group', async () => {
      const single: string[] = [];
      const batched: string[][] = [];
      const { eachBatch, state } = await startedRunner({
        topics: [Topic.ArticleIngestedV1, Topic.ArticleEnrichedV1],
        dispatch: async (event) => {
          single.push(`${event.topic}@${event.offset}`);
        },
        batch: {
          topics: [{ topic: Topic.ArticleEnrichedV1, maxBatchSize: 10 }],
          dispatch: async (batch) => {
            batched.push(offsetsOf(batch));
          },
        },
      });
      expect(state.subscribed).toEqual([Topic.ArticleIngestedV1, Topic.ArticleEnrichedV1]);
      const fetched = fetchedBatch(Topic.ArticleIngestedV1, messagesAt(5, 6));
      await eachBatch(fetched.payload);

      expect(single).toEqual([`${Topic.ArticleIngestedV1}@5`, `${Topic.ArticleIngestedV1}@6`]);
      expect(batched).toEqual([]);
      expect(fetched.log).toEqual([
        `commit ${Topic.ArticleIngestedV1}[2]@6`,
        'resolve 5',
        `commit ${Topic.ArticleIngestedV1}[2]@7`,
        'resolve 6',
      ]);
    });

    it('stops between messages once the consumer stops running', async () => {
      let running = true;
      const seen: string[] = [];
      const { eachBatch } = await startedRunner({
        dispatch: async (event) => {
          seen.push(event.offset);
          running = false;
        },
      });
      const fetched = fetchedBatch(Topic.ArticleIngestedV1, messagesAt(0, 1, 2), {
        isRunning: () => running,
      });
      await eachBatch(fetched.payload);
      expect(seen).toEqual(['0']);
      expect(fetched.log).toEqual([`commit ${Topic.ArticleIngestedV1}[2]@1`, 'resolve 0']);
    });
  });

  it('reads a contract topic from another Kafka topic name, validating against the contract', async () => {
    const seen: ConsumedEvent[] = [];
    const { eachBatch, state, sent } = await startedRunner({
      topicNames: { [Topic.ArticleIngestedV1]: 'test.private.ingested' },
      batch: {
        topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: 5 }],
        dispatch: async (batch) => {
          seen.push(...batch.events);
        },
      },
    });
    expect(state.subscribed).toEqual(['test.private.ingested']);
    const article = JSON.parse(articleMessage(0).value?.toString() ?? '') as ArticleIngestedV1;
    const fetched = fetchedBatch('test.private.ingested', [
      articleMessage(0, article),
      articleMessage(1, JSON.stringify({ ...article, id: 'bad' })),
    ]);
    await eachBatch(fetched.payload);

    expect(seen.map((event) => event.topic)).toEqual([Topic.ArticleIngestedV1]);
    expect(seen[0]?.payload).toEqual(article);
    expect(sent[0]?.headers).toMatchObject({
      [DeadLetterHeader.OriginalTopic]: 'test.private.ingested',
      [DeadLetterHeader.ErrorCode]: 'VALIDATION_FAILED',
    });
    expect(fetched.log).toEqual(['commit test.private.ingested[2]@2', 'resolve 1']);
  });

  it('refuses batch options that cannot work, at construction', () => {
    const base = {
      kafka: fakeKafka().kafka,
      groupId: 'g',
      stage: 's',
      topics: [Topic.ArticleIngestedV1],
      dispatch: async () => undefined,
      publisher: recordingPublisher().publisher,
      logger: silentLogger,
    };
    expect(
      () =>
        new ConsumerRunner({
          ...base,
          batch: {
            topics: [{ topic: Topic.ArticleEnrichedV1, maxBatchSize: 5 }],
            dispatch: async () => undefined,
          },
        }),
    ).toThrow(/news\.articles\.enriched\.v1 is not among/);
    for (const maxBatchSize of [0, -3, 2.5]) {
      expect(
        () =>
          new ConsumerRunner({
            ...base,
            batch: {
              topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize }],
              dispatch: async () => undefined,
            },
          }),
      ).toThrow(/positive integer/);
    }
  });

  describe('retry topics', () => {
    const retryPolicy = {
      maxAttempts: 2,
      initialBackoffMs: 1,
      maxBackoffMs: 2,
      retryTopicDelaysMs: [1_000, 10_000],
    };
    const tierOne = 'news.retry.unit-group.1';
    const tierTwo = 'news.retry.unit-group.2';

    /** A message as it sits on a retry tier: the article at offset 42 of partition 3, due at `dueAt`. */
    function onTier(tier: number, offset: number, dueAt: Date, attempts = 2): KafkaMessage {
      const original = articleMessage(42);
      return {
        ...original,
        offset: String(offset),
        headers: {
          ...original.headers,
          [RetryHeader.ConsumerGroup]: 'unit-group',
          [RetryHeader.OriginalTopic]: Topic.ArticleIngestedV1,
          [RetryHeader.OriginalPartition]: '3',
          [RetryHeader.OriginalOffset]: '42',
          [RetryHeader.Attempts]: String(attempts),
          [RetryHeader.Tier]: String(tier),
          [RetryHeader.FirstFailureAt]: '2026-11-27T10:00:00.000Z',
          [RetryHeader.LastFailureAt]: '2026-11-27T10:00:01.000Z',
          [RetryHeader.DueAt]: dueAt.toISOString(),
          [RetryHeader.ErrorCode]: 'DB_08006',
          [RetryHeader.ErrorMessage]: 'connection lost',
        },
      } as KafkaMessage;
    }

    it('lists the topics it reads under their Kafka names, retry tiers included, for the lag monitor', async () => {
      const { runner } = await startedRunner({
        retryPolicy,
        topicNames: { [Topic.ArticleIngestedV1]: 'test.private.ingested' },
      });
      expect(runner.subscribedTopics()).toEqual(['test.private.ingested', tierOne, tierTwo]);
    });

    it('creates the tiers like the topics read (partitions) and reads them from the beginning, whatever startFrom says', async () => {
      const { state } = await startedRunner({ retryPolicy, startFrom: 'latest' });
      expect(state.created).toEqual([
        { topic: tierOne, numPartitions: 4 },
        { topic: tierTwo, numPartitions: 4 },
      ]);
      expect(state.subscriptions).toEqual([
        { topics: [Topic.ArticleIngestedV1], fromBeginning: false },
        { topics: [tierOne, tierTwo], fromBeginning: true },
      ]);
    });

    it('creates nothing when topics are managed by an operator, and refuses to start without its tiers', async () => {
      await expect(
        startedRunner({ retryPolicy: { ...retryPolicy, createRetryTopics: false } }),
      ).rejects.toThrow(/retry topics missing: news.retry.unit-group.1, news.retry.unit-group.2/);
    });

    it('refuses a bad retry policy at construction', async () => {
      await expect(
        startedRunner({ retryPolicy: { ...retryPolicy, retryTopicDelaysMs: [0] } }),
      ).rejects.toThrow(/positive integers/);
    });

    it('sends a message still failing after its attempts in place to the first tier and commits past it', async () => {
      const handled: string[] = [];
      const { eachBatch, sent } = await startedRunner({
        retryPolicy,
        dispatch: async (event) => {
          if (event.offset === '5') throw new TransientError('DB_08006', 'connection lost');
          handled.push(event.offset);
        },
      });
      const fetched = fetchedBatch(Topic.ArticleIngestedV1, messagesAt(5, 6));
      await eachBatch(fetched.payload);

      expect(handled).toEqual(['6']);
      expect(sent.map((record) => [record.topic, record.headers[RetryHeader.OriginalOffset]])).toEqual([
        [tierOne, '5'],
      ]);
      expect(fetched.log).toEqual([
        `commit ${Topic.ArticleIngestedV1}[2]@6`,
        'resolve 5',
        `commit ${Topic.ArticleIngestedV1}[2]@7`,
        'resolve 6',
      ]);
    });

    it('pauses a tier partition whose first message is not due, committing up to it and dispatching nothing', async () => {
      const dispatched: ConsumedEvent[] = [];
      const { runner, eachBatch } = await startedRunner({
        retryPolicy,
        dispatch: async (event) => {
          dispatched.push(event);
        },
      });
      const fetched = fetchedBatch(tierOne, [
        onTier(1, 7, new Date(Date.now() + 60)),
        onTier(1, 8, new Date(Date.now() + 70)),
      ]);
      await eachBatch(fetched.payload);
      expect(dispatched).toEqual([]);
      expect(fetched.log).toEqual([`commit ${tierOne}[2]@7`, 'pause']);
      // Resumed once it is due; the next fetch starts at the same message.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(fetched.log).toEqual([`commit ${tierOne}[2]@7`, 'pause', 'resume']);
      await runner.stop();
    });

    it('waits at most the tier delay, however far off the due time says', async () => {
      const { runner, eachBatch } = await startedRunner({
        retryPolicy: { ...retryPolicy, retryTopicDelaysMs: [50] },
      });
      const fetched = fetchedBatch('news.retry.unit-group.1', [
        onTier(1, 7, new Date(Date.now() + 3_600_000)),
      ]);
      await eachBatch(fetched.payload);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(fetched.log).toEqual([`commit news.retry.unit-group.1[2]@7`, 'pause', 'resume']);
      await runner.stop();
    });

    it('hands a due message to the handler as the original event, then commits it on the tier', async () => {
      const dispatched: ConsumedEvent[] = [];
      const { eachBatch, sent } = await startedRunner({
        retryPolicy,
        dispatch: async (event) => {
          dispatched.push(event);
        },
      });
      const fetched = fetchedBatch(tierOne, [onTier(1, 7, new Date(Date.now() - 1))]);
      await eachBatch(fetched.payload);

      expect(dispatched).toHaveLength(1);
      expect(dispatched[0]).toMatchObject({
        topic: Topic.ArticleIngestedV1,
        partition: 3,
        offset: '42',
        attempt: 3,
      });
      expect(Object.keys(dispatched[0]?.metadata ?? {})).not.toContain(RetryHeader.DueAt);
      expect(sent).toEqual([]);
      expect(fetched.log).toEqual([`commit ${tierOne}[2]@8`, 'resolve 7']);
    });

    it('hands a due message of a batch topic to the batch handler as a batch of one', async () => {
      const batches: ConsumedBatch[] = [];
      const { eachBatch } = await startedRunner({
        retryPolicy,
        batch: {
          topics: [{ topic: Topic.ArticleIngestedV1, maxBatchSize: 100 }],
          dispatch: async (batch) => {
            batches.push(batch);
          },
        },
        dispatch: async () => {
          throw new Error('the single-message handler must not be called for a batch topic');
        },
      });
      await eachBatch(fetchedBatch(tierOne, [onTier(1, 7, new Date(Date.now() - 1))]).payload);
      expect(batches.map((batch) => [offsetsOf(batch), batch.attempt, batch.partition])).toEqual([
        [['42'], 3, 3],
      ]);
    });

    it('moves a message failing again to the next tier, and after the last one dead-letters it as the original', async () => {
      const { eachBatch, sent } = await startedRunner({
        retryPolicy,
        dispatch: async () => {
          throw new TransientError('TIMEOUT', 'still timing out');
        },
      });
      await eachBatch(fetchedBatch(tierOne, [onTier(1, 7, new Date(Date.now() - 1))]).payload);
      await eachBatch(fetchedBatch(tierTwo, [onTier(2, 3, new Date(Date.now() - 1), 4)]).payload);

      expect(sent.map((record) => record.topic)).toEqual([tierTwo, Topic.DeadLetterV1]);
      expect(sent[0]?.headers).toMatchObject({
        [RetryHeader.Tier]: '2',
        [RetryHeader.Attempts]: '4',
        [RetryHeader.FirstFailureAt]: '2026-11-27T10:00:00.000Z',
        [RetryHeader.OriginalOffset]: '42',
      });
      const letter = sent[1]?.headers ?? {};
      expect(letter).toMatchObject({
        [DeadLetterHeader.OriginalTopic]: Topic.ArticleIngestedV1,
        [DeadLetterHeader.OriginalPartition]: '3',
        [DeadLetterHeader.OriginalOffset]: '42',
        [DeadLetterHeader.Attempts]: '6',
        [DeadLetterHeader.ErrorCode]: 'TIMEOUT',
        [DeadLetterHeader.FirstFailureAt]: '2026-11-27T10:00:00.000Z',
      });
      expect(Object.keys(letter).filter((name) => name.startsWith('retry_'))).toEqual([]);
    });

    it('dead-letters a record on a tier that lost its retry headers, as it is, and goes on', async () => {
      const dispatched: string[] = [];
      const { eachBatch, sent } = await startedRunner({
        retryPolicy,
        dispatch: async (event) => {
          dispatched.push(event.offset);
        },
      });
      const fetched = fetchedBatch(tierOne, [articleMessage(7), onTier(1, 8, new Date(Date.now() - 1))]);
      await eachBatch(fetched.payload);
      expect(sent.map((record) => [record.topic, record.headers[DeadLetterHeader.ErrorCode]])).toEqual([
        [Topic.DeadLetterV1, 'RETRY_RECORD_INVALID'],
      ]);
      expect(sent[0]?.headers[DeadLetterHeader.OriginalTopic]).toBe(tierOne);
      expect(dispatched).toEqual(['42']);
      expect(fetched.log).toEqual([
        `commit ${tierOne}[2]@8`,
        'resolve 7',
        `commit ${tierOne}[2]@9`,
        'resolve 8',
      ]);
    });
  });
});
