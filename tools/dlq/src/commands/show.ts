import { type DlqCommand } from '../args';
import { type DlqContext, topicExists } from '../context';
import { type DeadLetter } from '../dead-letter';
import { parseDeadLetterId } from '../dead-letter-id';
import { formatShow } from '../format';
import { type RedriveLog } from '../redrive-log';

import { readDeadLetters } from './read-dead-letters';

type ShowCommand = Extract<DlqCommand, { name: 'show' }>;

export async function showCommand(ctx: DlqContext, command: ShowCommand): Promise<number> {
  const position = parseDeadLetterId(command.id);
  if (!position) throw new Error(`not a dead-letter id: ${command.id}`); // parseDlqArgs checked it
  if (!(await topicExists(ctx.admin, ctx.dlqTopic))) {
    ctx.err(`No dead letter ${command.id}: the topic ${ctx.dlqTopic} does not exist.`);
    return 1;
  }
  let found: { deadLetter: DeadLetter; log: RedriveLog } | undefined;
  await readDeadLetters(
    ctx,
    (deadLetter, log) => {
      if (deadLetter.id === command.id) found = { deadLetter, log };
    },
    { partition: position.partition, from: position.offset },
  );
  if (!found) {
    ctx.err(
      `No dead letter ${command.id} on ${ctx.dlqTopic}: ${await whatPartitionHolds(ctx, position.partition)}.`,
    );
    return 1;
  }
  const marker = found.log.markerOf(ctx.dlqTopic, found.deadLetter);
  formatShow({ deadLetter: found.deadLetter, dlqTopic: ctx.dlqTopic, marker, full: command.full }).forEach(
    (line) => ctx.out(line),
  );
  return 0;
}

async function whatPartitionHolds(ctx: DlqContext, partition: number): Promise<string> {
  const offsets = await ctx.admin.fetchTopicOffsets(ctx.dlqTopic);
  const watermarks = offsets.find((candidate) => candidate.partition === partition);
  if (!watermarks) return `it has partitions 0 to ${offsets.length - 1}`;
  const low = BigInt(watermarks.low);
  const high = BigInt(watermarks.high);
  return low >= high
    ? `partition ${partition} is empty`
    : `partition ${partition} holds offsets ${low} to ${high - 1n} (older ones were purged or expired)`;
}
