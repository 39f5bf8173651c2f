import { randomUUID } from 'node:crypto';

import { type DlqCommand } from '../args';
import { type DlqContext, topicExists } from '../context';
import { type DeadLetter } from '../dead-letter';
import { deadLetters } from '../format';
import { type RedriveLog, type RedriveMarker, markerMessage } from '../redrive-log';
import { redriveMessage } from '../redrive-message';
import { describeSelection, matchesSelection } from '../selection';

import { readDeadLetters } from './read-dead-letters';

type RedriveCommand = Extract<DlqCommand, { name: 'redrive' }>;

interface RedriveTally {
  redriven: Map<string, number>;
  redrivenBefore: number;
  noOriginalTopic: string[];
  originalTopicMissing: string[];
  seenIds: Set<string>;
}

export async function redriveCommand(ctx: DlqContext, command: RedriveCommand): Promise<number> {
  const which = describeSelection(command.selection);
  if (!(await topicExists(ctx.admin, ctx.dlqTopic))) {
    ctx.out(`Nothing to redrive: the topic ${ctx.dlqTopic} does not exist (yet).`);
    return 0;
  }
  if (!command.dryRun) await ensureRedriveLogTopic(ctx);
  const existingTopics = new Set(await ctx.admin.listTopics());
  const tally: RedriveTally = {
    redriven: new Map(),
    redrivenBefore: 0,
    noOriginalTopic: [],
    originalTopicMissing: [],
    seenIds: new Set(),
  };
  ctx.out(
    `${command.dryRun ? 'Dry run: would redrive' : 'Redriving'} dead letters on ${ctx.dlqTopic} (${which})`,
  );
  await readDeadLetters(ctx, async (deadLetter, log) => {
    if (!matchesSelection(deadLetter, command.selection)) return;
    tally.seenIds.add(deadLetter.id);
    await redriveOne(ctx, command, { deadLetter, log, existingTopics, tally });
  });
  return summarize(ctx, command, tally);
}

async function redriveOne(
  ctx: DlqContext,
  command: RedriveCommand,
  input: {
    deadLetter: DeadLetter;
    log: RedriveLog;
    existingTopics: ReadonlySet<string>;
    tally: RedriveTally;
  },
): Promise<void> {
  const { deadLetter, log, tally } = input;
  const previous = log.markerOf(ctx.dlqTopic, deadLetter);
  if (previous && !command.again) {
    tally.redrivenBefore++;
    return;
  }
  const target = deadLetter.failure.originalTopic;
  if (target === undefined) {
    tally.noOriginalTopic.push(deadLetter.id);
    return;
  }
  if (!input.existingTopics.has(target)) {
    tally.originalTopicMissing.push(deadLetter.id);
    return;
  }
  const line = `${deadLetter.id} → ${target} (${deadLetter.failure.stage ?? '-'}, ${deadLetter.failure.errorCode ?? '-'})`;
  if (!command.dryRun) {
    const eventId = randomUUID();
    const publisher = await ctx.publisher();
    // Republished first, recorded second: a crash in between means one more redrive later, which
    // idempotent consumers absorb, never a dead letter marked as sent that was not.
    await publisher.publishRaw(target, redriveMessage(deadLetter, eventId));
    const marker: RedriveMarker = {
      dlqTopic: ctx.dlqTopic,
      id: deadLetter.id,
      deadLetteredAt: deadLetter.deadLetteredAt.toISOString(),
      originalTopic: target,
      redrivenAt: ctx.now().toISOString(),
      eventId,
      count: (previous?.count ?? 0) + 1,
    };
    await publisher.publishRaw(ctx.redrivenTopic, markerMessage(marker));
    log.record(marker);
  }
  tally.redriven.set(target, (tally.redriven.get(target) ?? 0) + 1);
  ctx.out(line);
}

function summarize(ctx: DlqContext, command: RedriveCommand, tally: RedriveTally): number {
  const count = [...tally.redriven.values()].reduce((sum, n) => sum + n, 0);
  const perTopic = [...tally.redriven].map(([topic, n]) => `${topic}: ${n}`).join(', ');
  const verb = command.dryRun ? 'Would redrive' : 'Redrove';
  const lines = [`${verb} ${deadLetters(count)}${perTopic ? ` (${perTopic})` : ''}.`];
  if (tally.redrivenBefore > 0) {
    lines.push(
      `${tally.redrivenBefore} selected were redriven before and were left alone (--again sends them again).`,
    );
  }
  lines.forEach((line) => ctx.out(line));
  const problems: string[] = [];
  if (tally.noOriginalTopic.length > 0) {
    problems.push(
      `${tally.noOriginalTopic.length} have no dlq_original_topic header: ${tally.noOriginalTopic.join(', ')}.`,
    );
  }
  if (tally.originalTopicMissing.length > 0) {
    problems.push(
      `${tally.originalTopicMissing.length} belong to topics that no longer exist: ${tally.originalTopicMissing.join(', ')}.`,
    );
  }
  const missingIds = (command.selection.ids ?? []).filter((id) => !tally.seenIds.has(id));
  if (missingIds.length > 0) {
    problems.push(
      `Not found on ${ctx.dlqTopic} (or not matching the other options): ${missingIds.join(', ')}.`,
    );
  }
  problems.forEach((line) => ctx.err(`Not redriven: ${line}`));
  return problems.length > 0 ? 1 : 0;
}

/** The redrive log is compacted: only the latest marker per dead letter matters. */
async function ensureRedriveLogTopic(ctx: DlqContext): Promise<void> {
  if (await topicExists(ctx.admin, ctx.redrivenTopic)) return;
  if (!ctx.createTopics) {
    throw new Error(
      `the redrive log topic ${ctx.redrivenTopic} does not exist and KAFKA_CREATE_TOPICS is off: ` +
        'create it with cleanup.policy=compact',
    );
  }
  await ctx.admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: ctx.redrivenTopic,
        numPartitions: 1,
        replicationFactor: ctx.replicationFactor,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
  });
}
