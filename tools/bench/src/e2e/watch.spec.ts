import { between, decodeOffsetCommit, peakLags } from './watch';

/** A __consumer_offsets key as the broker writes it: version, group, topic, partition. */
function offsetKey(version: number, group: string, topic: string, partition: number): Buffer {
  const text = (value: string) => {
    const bytes = Buffer.from(value, 'utf8');
    const length = Buffer.alloc(2);
    length.writeInt16BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const head = Buffer.alloc(2);
  head.writeInt16BE(version);
  const tail = Buffer.alloc(4);
  tail.writeInt32BE(partition);
  return Buffer.concat([head, text(group), text(topic), tail]);
}

/** An offset commit value: version, offset, then fields the decoder does not need. */
function offsetValue(version: number, offset: bigint): Buffer {
  const value = Buffer.alloc(2 + 8 + 16);
  value.writeInt16BE(version, 0);
  value.writeBigInt64BE(offset, 2);
  return value;
}

describe('decodeOffsetCommit', () => {
  it('reads group, topic, partition and offset of an offset commit record', () => {
    for (const keyVersion of [0, 1]) {
      expect(
        decodeOffsetCommit(
          offsetKey(keyVersion, 'storage', 'news.articles.enriched.v1', 4),
          offsetValue(3, 1234n),
        ),
      ).toEqual({ group: 'storage', topic: 'news.articles.enriched.v1', partition: 4, offset: 1234 });
    }
  });

  it('skips group metadata, deleted offsets and record kinds it does not know', () => {
    const value = offsetValue(3, 5n);
    expect(decodeOffsetCommit(offsetKey(2, 'storage', 't', 0), value)).toBeUndefined();
    expect(decodeOffsetCommit(offsetKey(7, 'storage', 't', 0), value)).toBeUndefined();
    expect(decodeOffsetCommit(offsetKey(1, 'storage', 't', 0), null)).toBeUndefined();
    expect(decodeOffsetCommit(null, value)).toBeUndefined();
  });
});

describe('between', () => {
  it('sums messages per partition, counting a partition missing at the start from 0', () => {
    expect(
      between(
        new Map([[0, 5]]),
        new Map([
          [0, 8],
          [1, 4],
        ]),
      ),
    ).toBe(7);
  });

  it('never counts backwards', () => {
    expect(between(new Map([[0, 9]]), new Map([[0, 3]]))).toBe(0);
  });
});

describe('peakLags', () => {
  it('keeps the largest lag per group and topic since a time', () => {
    const peaks = peakLags(
      [
        { at: 1, lag: { 'storage t': 500 } },
        { at: 10, lag: { 'storage t': 20, 'enrichment u': 3 } },
        { at: 20, lag: { 'storage t': 40, 'enrichment u': 1 } },
      ],
      5,
    );
    expect(peaks).toEqual({ 'storage t': { messages: 40, at: 20 }, 'enrichment u': { messages: 3, at: 10 } });
  });
});
