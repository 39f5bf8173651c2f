import { Topic } from '@newsflow/contracts';

import { type TopicOffsets, messagesBetween } from './consumer-path';

const offsets = (ingested: [number, string][], enriched: [number, string][]): TopicOffsets => ({
  [Topic.ArticleIngestedV1]: new Map(ingested),
  [Topic.ArticleEnrichedV1]: new Map(enriched),
});

describe('messagesBetween', () => {
  it('counts the messages per topic between two snapshots of partition offsets', () => {
    const before = offsets(
      [
        [0, '10'],
        [1, '5'],
      ],
      [[0, '0']],
    );
    const after = offsets(
      [
        [0, '15'],
        [1, '9'],
      ],
      [
        [0, '7'],
        [1, '3'],
      ],
    );
    expect(messagesBetween(before, after)).toEqual({
      [Topic.ArticleIngestedV1]: 9,
      // A partition missing from the first snapshot counts from 0.
      [Topic.ArticleEnrichedV1]: 10,
    });
  });

  it('handles offsets beyond 2^53', () => {
    const before = offsets([[0, '9007199254740993']], []);
    const after = offsets([[0, '9007199254740995']], []);
    expect(messagesBetween(before, after)[Topic.ArticleIngestedV1]).toBe(2);
  });
});
