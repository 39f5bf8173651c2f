import { type DlqContext, topicExists } from '../context';
import { type DeadLetter, decodeDeadLetter } from '../dead-letter';
import { RedriveLog } from '../redrive-log';
import { type TopicRead, readTopics } from '../topic-reader';

/**
 * Reads the redrive log, then every dead letter retained on the dead-letter topic (or only the one at
 * `only`), handing each to `onDeadLetter` with the log as read so far: complete, since the log comes first.
 */
export async function readDeadLetters(
  ctx: DlqContext,
  onDeadLetter: (deadLetter: DeadLetter, log: RedriveLog) => void | Promise<void>,
  only?: { partition: number; from: string },
): Promise<RedriveLog> {
  const log = new RedriveLog();
  const reads: TopicRead[] = [];
  if (await topicExists(ctx.admin, ctx.redrivenTopic)) {
    reads.push({
      topic: ctx.redrivenTopic,
      onMessage: (_partition, message) => log.applyRecord(message.key, message.value),
    });
  }
  reads.push({
    topic: ctx.dlqTopic,
    only,
    onMessage: (partition, message) => onDeadLetter(decodeDeadLetter(partition, message), log),
  });
  await readTopics({ kafka: ctx.kafka, admin: ctx.admin, warn: ctx.err }, reads);
  if (log.unreadable > 0) {
    ctx.err(
      `warning: ${log.unreadable} records on ${ctx.redrivenTopic} are not redrive markers and were ignored`,
    );
  }
  return log;
}
