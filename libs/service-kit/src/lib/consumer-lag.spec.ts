import { lagMessages, nextReadOffset, parseOffset } from './consumer-lag';

const partition = (committed: bigint) => ({ partition: 0, low: 100n, high: 250n, committed });

describe('consumer lag in messages', () => {
  it('is the high watermark minus the committed offset', () => {
    expect(lagMessages(partition(200n), 'earliest')).toBe(50n);
    expect(lagMessages(partition(250n), 'earliest')).toBe(0n);
  });

  it('counts from the log start when retention deleted the committed position', () => {
    expect(nextReadOffset(partition(40n), 'earliest')).toBe(100n);
    expect(lagMessages(partition(40n), 'latest')).toBe(150n);
  });

  it('without a commit, counts from where a new member starts', () => {
    expect(lagMessages(partition(-1n), 'earliest')).toBe(150n);
    expect(lagMessages(partition(-1n), 'latest')).toBe(0n);
  });

  it('is never negative, even for a commit past the end (a truncated topic)', () => {
    expect(lagMessages(partition(300n), 'earliest')).toBe(0n);
  });
});

describe('parseOffset', () => {
  it('reads kafkajs offsets exactly and refuses anything else', () => {
    expect(parseOffset('9007199254740993')).toBe(9_007_199_254_740_993n);
    expect(parseOffset('-1')).toBe(-1n);
    expect(() => parseOffset('12a')).toThrow(/not a Kafka offset/);
  });
});
