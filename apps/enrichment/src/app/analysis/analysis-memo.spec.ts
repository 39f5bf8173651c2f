import { type ArticleIngestedV1, Topic } from '@newsflow/contracts';
import { type ArticleAnalysis } from '@newsflow/enrichment';
import { type ConsumedEvent, PermanentError, TransientError } from '@newsflow/kafka';

import { AnalysisMemo, type AnalysisOutcome } from './analysis-memo';

function event(
  offset: number,
  articleId = `article-${offset}`,
): ConsumedEvent<typeof Topic.ArticleIngestedV1> {
  return {
    topic: Topic.ArticleIngestedV1,
    partition: 1,
    offset: String(offset),
    key: articleId,
    payload: { id: articleId } as ArticleIngestedV1,
    metadata: {} as ConsumedEvent['metadata'],
    attempt: 1,
    heartbeat: async () => undefined,
  };
}

const analysed = (textLength: number): AnalysisOutcome => ({
  status: 'fulfilled',
  value: { textLength } as ArticleAnalysis,
});

describe('AnalysisMemo', () => {
  it('hands an outcome back once, for the same message and article only', () => {
    const memo = new AnalysisMemo(10);
    memo.remember(event(1), analysed(1));
    expect(memo.take(event(1, 'another-article'))).toBeUndefined();
    expect(memo.take(event(2))).toBeUndefined();
    expect(memo.take(event(1))).toEqual(analysed(1));
    expect(memo.take(event(1))).toBeUndefined();
  });

  it('keeps permanent failures, not transient ones', () => {
    const memo = new AnalysisMemo(10);
    const timeout = new PermanentError('ENRICHMENT_TIMEOUT', 'took longer than 200 ms');
    memo.remember(event(1), { status: 'rejected', reason: timeout });
    memo.remember(event(2), {
      status: 'rejected',
      reason: new TransientError('ENRICHMENT_POOL_CLOSED', 'closed'),
    });
    memo.remember(event(3), { status: 'rejected', reason: new Error('unclassified') });
    expect(memo.take(event(1))).toEqual({ status: 'rejected', reason: timeout });
    expect(memo.take(event(2))).toBeUndefined();
    expect(memo.take(event(3))).toBeUndefined();
  });

  it('drops the oldest past its capacity', () => {
    const memo = new AnalysisMemo(2);
    for (const offset of [1, 2, 3]) memo.remember(event(offset), analysed(offset));
    expect(memo.size).toBe(2);
    expect(memo.take(event(1))).toBeUndefined();
    expect(memo.take(event(3))).toEqual(analysed(3));
  });
});
