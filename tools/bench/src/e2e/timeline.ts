/**
 * The pure part of the measurement: per-article times joined on the article id, and what they add up
 * to. All times are epoch milliseconds of this machine's clock (Kafka's message timestamps and the
 * webhook arrivals come from the same clock: everything runs on 127.0.0.1).
 */
import { type LatencySummary, summarizeLatencies } from '../storage/latency';

/** An article event as read back from its topic (key = article id). */
export interface TopicMessage {
  id: string;
  partition: number;
  offset: number;
  /** The producer's timestamp: when the service published it. */
  timestamp: number;
}

/** One reading of a consumer group's committed offsets (next offset to read, per partition). */
export interface CommitSample {
  at: number;
  offsets: ReadonlyMap<number, number>;
}

/**
 * When each message was first seen committed by the group: the first sample whose committed offset of
 * its partition is beyond the message's offset. The group commits after the transaction that wrote the
 * chunk, so this is when the article was stored (samples are the group's commits, timed by the broker).
 * Messages never seen committed are not in the result.
 */
export function committedTimes(
  messages: readonly TopicMessage[],
  samples: readonly CommitSample[],
): Map<TopicMessage, number> {
  const ordered = [...samples].sort((a, b) => a.at - b.at);
  const byPartition = new Map<number, TopicMessage[]>();
  for (const message of messages) {
    const list = byPartition.get(message.partition) ?? [];
    list.push(message);
    byPartition.set(message.partition, list);
  }
  const result = new Map<TopicMessage, number>();
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => a.offset - b.offset);
    let next = 0;
    for (const sample of ordered) {
      const committed = sample.offsets.get(partition);
      if (committed === undefined) continue;
      while (next < list.length && (list[next] as TopicMessage).offset < committed) {
        result.set(list[next] as TopicMessage, sample.at);
        next++;
      }
      if (next === list.length) break;
    }
  }
  return result;
}

/** The earliest time per id (an article may be published or delivered more than once). */
export function earliestById(events: Iterable<{ id: string; at: number }>): Map<string, number> {
  const earliest = new Map<string, number>();
  for (const { id, at } of events) {
    const known = earliest.get(id);
    if (known === undefined || at < known) earliest.set(id, at);
  }
  return earliest;
}

export interface StageResult {
  /** Articles dropped in the phase, and those that reached the stage. */
  dropped: number;
  reached: number;
  /** Drop to the stage, per article that reached it. */
  latency: LatencySummary;
  /** From the first drop to the last article reaching the stage; 0 when none did. */
  spanSeconds: number;
  /** reached / spanSeconds. */
  articlesPerSecond: number;
  /** Up to 5 ids of dropped articles that never reached it, for the report. */
  missingExamples: string[];
}

/** How the articles dropped at `dropTimes` reached a stage at `reachedTimes` (other ids are ignored). */
export function stageResult(
  dropTimes: ReadonlyMap<string, number>,
  reachedTimes: ReadonlyMap<string, number>,
): StageResult {
  const latencies: number[] = [];
  const missingExamples: string[] = [];
  let firstDrop = Number.POSITIVE_INFINITY;
  let lastReached = Number.NEGATIVE_INFINITY;
  for (const [id, dropped] of dropTimes) {
    firstDrop = Math.min(firstDrop, dropped);
    const reached = reachedTimes.get(id);
    if (reached === undefined) {
      if (missingExamples.length < 5) missingExamples.push(id);
      continue;
    }
    latencies.push(reached - dropped);
    lastReached = Math.max(lastReached, reached);
  }
  const spanSeconds = latencies.length === 0 ? 0 : (lastReached - firstDrop) / 1000;
  return {
    dropped: dropTimes.size,
    reached: latencies.length,
    latency: summarizeLatencies(latencies),
    spanSeconds,
    articlesPerSecond: spanSeconds > 0 ? latencies.length / spanSeconds : 0,
    missingExamples,
  };
}

/**
 * The rate in the middle of the phase: articles reaching the stage between the times 10% and 90% of
 * them had, over that time. Leaves out the start (services warming up, the first files waiting out
 * INBOX_STABLE_MS) and the tail, so it is the rate the pipeline keeps up.
 */
export function middleRate(reachedTimes: readonly number[], from = 0.1, to = 0.9): number | undefined {
  if (reachedTimes.length < 20) return undefined;
  const sorted = [...reachedTimes].sort((a, b) => a - b);
  const first = Math.floor(from * (sorted.length - 1));
  const last = Math.ceil(to * (sorted.length - 1));
  const seconds = ((sorted[last] as number) - (sorted[first] as number)) / 1000;
  return seconds > 0 ? (last - first) / seconds : undefined;
}
