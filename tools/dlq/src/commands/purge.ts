import { type DlqCommand } from '../args';
import { type DlqContext, topicExists } from '../context';
import { deadLetters, formatTable } from '../format';
import { markerTombstone } from '../redrive-log';

import { readDeadLetters } from './read-dead-letters';

type PurgeCommand = Extract<DlqCommand, { name: 'purge' }>;

interface PartitionPurge {
  partition: number;
  low: bigint;
  /** The first offset kept: records below it are deleted. */
  cutoff: bigint;
  notRedriven: number;
}

/**
 * Kafka deletes records only as a prefix of a partition: everything below an offset. The cutoff per
 * partition is the first record at or after --before (its time index), never past the high watermark
 * seen now, so records that arrive while the operator reads the prompt are kept.
 */
async function cutoffs(ctx: DlqContext, before: Date): Promise<PartitionPurge[]> {
  const watermarks = await ctx.admin.fetchTopicOffsets(ctx.dlqTopic);
  const byTime = await ctx.admin.fetchTopicOffsetsByTimestamp(ctx.dlqTopic, before.getTime());
  return watermarks.map((partition) => {
    const low = BigInt(partition.low);
    const high = BigInt(partition.high);
    const first = byTime.find((candidate) => candidate.partition === partition.partition);
    const atTime = first === undefined ? low : BigInt(first.offset);
    const cutoff = atTime > high ? high : atTime < low ? low : atTime;
    return { partition: partition.partition, low, cutoff, notRedriven: 0 };
  });
}

export async function purgeCommand(ctx: DlqContext, command: PurgeCommand): Promise<number> {
  const before = command.before.toISOString();
  if (!(await topicExists(ctx.admin, ctx.dlqTopic))) {
    ctx.out(`Nothing to purge: the topic ${ctx.dlqTopic} does not exist.`);
    return 0;
  }
  const partitions = (await cutoffs(ctx, command.before)).filter(
    (partition) => partition.cutoff > partition.low,
  );
  const total = partitions.reduce((sum, partition) => sum + Number(partition.cutoff - partition.low), 0);
  if (total === 0) {
    ctx.out(`Nothing to purge: ${ctx.dlqTopic} holds no dead letter from before ${before}.`);
    return 0;
  }

  // Which of them were never redriven, and which markers to drop with them.
  const purgedMarkers: string[] = [];
  const cutoffOf = new Map(partitions.map((partition) => [partition.partition, partition]));
  await readDeadLetters(ctx, (deadLetter, log) => {
    const partition = cutoffOf.get(deadLetter.partition);
    if (!partition || BigInt(deadLetter.offset) >= partition.cutoff) return;
    if (!log.markerOf(ctx.dlqTopic, deadLetter)) partition.notRedriven++;
    if (log.hasKey(ctx.dlqTopic, deadLetter.id)) purgedMarkers.push(deadLetter.id);
  });

  const notRedriven = partitions.reduce((sum, partition) => sum + partition.notRedriven, 0);
  ctx.out(
    `${deadLetters(total)} on ${ctx.dlqTopic} ${total === 1 ? 'was' : 'were'} recorded before ${before} (${notRedriven} never redriven):`,
  );
  formatTable(
    ['PARTITION', 'OFFSETS', 'COUNT', 'NOT REDRIVEN'],
    partitions.map((partition) => [
      String(partition.partition),
      `${partition.low}-${partition.cutoff - 1n}`,
      String(partition.cutoff - partition.low),
      String(partition.notRedriven),
    ]),
  ).forEach((line) => ctx.out(`  ${line}`));

  if (!command.yes) {
    if (!ctx.confirm) {
      ctx.err('dlq: --yes: needed to purge without a terminal to confirm on; nothing deleted');
      return 2;
    }
    if (
      !(await ctx.confirm(`Delete ${total === 1 ? 'this' : 'these'} ${deadLetters(total)} for good? [y/N] `))
    ) {
      ctx.out('Nothing deleted.');
      return 1;
    }
  }

  await ctx.admin.deleteTopicRecords({
    topic: ctx.dlqTopic,
    partitions: partitions.map((partition) => ({
      partition: partition.partition,
      offset: String(partition.cutoff),
    })),
  });
  if (purgedMarkers.length > 0) {
    const publisher = await ctx.publisher();
    for (const id of purgedMarkers)
      await publisher.publishRaw(ctx.redrivenTopic, markerTombstone(ctx.dlqTopic, id));
  }
  const after = await ctx.admin.fetchTopicOffsets(ctx.dlqTopic);
  const lows = partitions
    .map(
      (partition) =>
        `${partition.partition}: ${after.find((p) => p.partition === partition.partition)?.low ?? '?'}`,
    )
    .join(', ');
  ctx.out(`Deleted ${deadLetters(total)}. Earliest offsets now: ${lows}.`);
  return 0;
}
