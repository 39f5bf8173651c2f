/** Kafka answers -1 for a partition on which the group has committed nothing yet. */
const NO_COMMITTED_OFFSET = -1n;

export interface PartitionOffsets {
  partition: number;
  /** The log start offset: older messages were deleted by retention. */
  low: bigint;
  /** The high watermark: the offset the next message will get. */
  high: bigint;
  /** The group's committed offset (the next message it will read), or -1 when it has none. */
  committed: bigint;
}

/**
 * Where the group will read next in a partition: its committed offset; the log start when retention has
 * deleted the messages there (the consumer then resets to it); and without a commit, where a new member
 * starts (`earliest`: the log start, `latest`: the end, so no lag).
 */
export function nextReadOffset(offsets: PartitionOffsets, startFrom: 'earliest' | 'latest'): bigint {
  if (offsets.committed === NO_COMMITTED_OFFSET) return startFrom === 'earliest' ? offsets.low : offsets.high;
  if (offsets.committed < offsets.low) return offsets.low;
  return offsets.committed > offsets.high ? offsets.high : offsets.committed;
}

/** Messages written to the partition that the group has not committed: high watermark − next read offset. */
export function lagMessages(offsets: PartitionOffsets, startFrom: 'earliest' | 'latest'): bigint {
  return offsets.high - nextReadOffset(offsets, startFrom);
}

/** kafkajs hands offsets over as decimal strings. */
export function parseOffset(value: string): bigint {
  if (!/^-?\d+$/.test(value)) throw new Error(`not a Kafka offset: ${value}`);
  return BigInt(value);
}
