/** Cuts `items` into consecutive chunks of at most `size` items, in order. */
export function chunksOf<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** The offset to commit once the message at `offset` is done: Kafka's committed offset is the next to read. */
export function offsetAfter(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
