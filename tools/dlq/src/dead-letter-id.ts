/**
 * A dead letter's id is where it sits on the dead-letter topic, `<partition>-<offset>`: stable for as
 * long as the record is retained, short enough to copy from a table, and enough to fetch it directly.
 */
export interface DeadLetterPosition {
  partition: number;
  /** Kafka offsets are 64-bit; kafkajs hands them over as decimal strings. */
  offset: string;
}

const ID = /^(\d{1,9})-(\d{1,19})$/;

export function deadLetterId(position: DeadLetterPosition): string {
  return `${position.partition}-${position.offset}`;
}

/** The position an id names, or undefined when the text is not an id. */
export function parseDeadLetterId(text: string): DeadLetterPosition | undefined {
  const match = ID.exec(text.trim());
  if (!match) return undefined;
  // Strip leading zeros so that `03-007` and `3-7` name the same record (and the same redrive marker).
  return { partition: Number(match[1]), offset: BigInt(match[2] as string).toString() };
}
