import { earliestNearDuplicate, simhashBands } from './near-duplicate.index';

describe('simhashBands', () => {
  it('splits 64 bits into eight bytes, most significant first', () => {
    expect(simhashBands('0123456789abcdef')).toEqual([0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]);
  });
});

describe('earliestNearDuplicate', () => {
  const row = (article: string, seq: string, simhash: string, story = article) => ({
    article_id: article,
    seq,
    simhash,
    story_id: story,
  });

  it('picks the earliest seen candidate within the distance, whatever the order of the rows', () => {
    const candidates = [
      row('b', '12', '0000000000000001', 'a'),
      row('c', '9', '00000000000000ff'),
      row('a', '10', '0000000000000003'),
    ];
    expect(earliestNearDuplicate('0000000000000000', candidates, 3)).toEqual({
      of: 'a',
      distance: 2,
      storyId: 'a',
    });
    expect(earliestNearDuplicate('0000000000000000', candidates, 8)?.of).toBe('c');
    expect(earliestNearDuplicate('0000000000000000', candidates, 0)).toBeUndefined();
  });

  it('compares sequence numbers as integers, not strings', () => {
    const candidates = [row('late', '9', '0000000000000000'), row('early', '10', '0000000000000000')];
    expect(earliestNearDuplicate('0000000000000000', candidates, 0)?.of).toBe('late');
  });
});
