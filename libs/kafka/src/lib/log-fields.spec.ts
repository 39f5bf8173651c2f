import { Topic, fromHeaders, traceIdOf } from '@newsflow/contracts';

import { articleMessage, recordingLogger, recordingPublisher } from '../testing/unit-fakes';
import { sampleIngestedArticle } from '../testing/kafka-testing';

import { TransientError } from './errors';
import { loggerWithFields, messageLogFields } from './log-fields';
import { processMessage } from './message-processor';
import { firstDelivery } from './retry-topics';

describe('messageLogFields', () => {
  it('names the article (the key of the article topics) and the trace of the traceparent header', () => {
    const article = sampleIngestedArticle();
    const message = articleMessage(3, article);
    const traceId = traceIdOf(fromHeaders(message.headers).traceParent);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(messageLogFields(message)).toEqual({ articleId: article.id, traceId });
  });

  it('leaves out a key that is no article id (a rejection is keyed bucket/key) and a missing traceparent', () => {
    expect(messageLogFields({ key: Buffer.from('local/inbox/a.txt'), headers: {} })).toEqual({});
    expect(messageLogFields({ key: null, headers: undefined })).toEqual({});
  });
});

describe('loggerWithFields', () => {
  it('adds the fields to every line, under what the line itself says', () => {
    const { logger, lines } = recordingLogger();
    const bound = loggerWithFields(logger, { articleId: 'a', traceId: 't' });
    bound.warn({ attempt: 2 }, 'retrying');
    bound.error({ articleId: 'b' }, 'failed');
    expect(lines).toEqual([
      { level: 'warn', context: { articleId: 'a', traceId: 't', attempt: 2 }, message: 'retrying' },
      { level: 'error', context: { articleId: 'b', traceId: 't' }, message: 'failed' },
    ]);
  });
});

describe('the consumer runtime logs about a message', () => {
  it('carry its article id and trace id, on retries and on the dead letter', async () => {
    const { logger, lines } = recordingLogger();
    const article = sampleIngestedArticle();
    const message = articleMessage(7, article);
    const traceId = traceIdOf(fromHeaders(message.headers).traceParent);
    const result = await processMessage(
      {
        stage: 'storage',
        groupId: 'newsflow-storage',
        publisher: recordingPublisher().publisher,
        logger,
        retryPolicy: { maxAttempts: 2, initialBackoffMs: 1, maxBackoffMs: 1 },
        retryTiers: [],
        deadLetterTopic: Topic.DeadLetterV1,
      },
      {
        contractTopic: Topic.ArticleIngestedV1,
        message,
        history: firstDelivery(Topic.ArticleIngestedV1, 0, message),
        control: { heartbeat: async () => undefined, shouldStop: () => false },
        dispatch: async () => {
          throw new TransientError('DB_UNAVAILABLE', 'database is restarting');
        },
      },
    );
    expect(result).toEqual({ deadLettered: expect.objectContaining({ code: 'DB_UNAVAILABLE' }) });
    const aboutTheMessage = lines.filter((line) => line.level === 'warn' || line.level === 'error');
    expect(aboutTheMessage.map((line) => line.message)).toEqual([
      'message failed, will retry',
      'message failed for good, sending it to the dead-letter topic',
    ]);
    for (const line of aboutTheMessage) {
      expect(line.context).toMatchObject({ articleId: article.id, traceId });
    }
  });
});
