/**
 * A boundary in one partition's log: every message below `offset` was written before `time` (epoch ms),
 * every message at or above it at or after `time`. Two sources give such points for free or cheaply:
 * the high watermark read at `time`, and Kafka's offset lookup by timestamp (the first offset whose
 * timestamp is at least `time`).
 */
export interface OffsetTimePoint {
  offset: bigint;
  time: number;
}

/** Where a message's timestamp lies: at or after `lower.time` and before `upper.time`. */
export interface OffsetBracket {
  /** Undefined when the message is older than anything known. */
  lower?: OffsetTimePoint;
  upper?: OffsetTimePoint;
}

/** Beyond this many points, every other old point is dropped (the bracket there widens; a lookup refines it). */
const MAX_POINTS = 1_000;

/**
 * Offset → time boundaries of one partition, from which the timestamp of a message is estimated
 * without reading it: a message lies between the nearest boundary at or below its offset and the
 * nearest one above. Points are kept sorted by offset; for one offset the earliest and the latest time
 * are both kept (the earliest bounds older messages from above, the latest newer ones from below), so a
 * partition that receives nothing for hours holds two points, not one per refresh.
 */
export class OffsetTimeIndex {
  private points: OffsetTimePoint[] = [];

  get size(): number {
    return this.points.length;
  }

  record(point: OffsetTimePoint): void {
    const at = this.points.findIndex(
      (known) => known.offset > point.offset || (known.offset === point.offset && known.time > point.time),
    );
    this.points.splice(at === -1 ? this.points.length : at, 0, point);
    this.collapseTies(point.offset);
    if (this.points.length > MAX_POINTS) this.thinOldest();
  }

  bracket(offset: bigint): OffsetBracket {
    let lower: OffsetTimePoint | undefined;
    let upper: OffsetTimePoint | undefined;
    for (const point of this.points) {
      if (point.offset <= offset) lower = point;
      else {
        upper = point;
        break;
      }
    }
    return { lower, upper };
  }

  /**
   * Forgets the points below `offset` except the last one, which still bounds `offset` from below:
   * offsets a group has committed past are not asked about again.
   */
  forgetBelow(offset: bigint): void {
    const firstKept = this.points.findIndex((point) => point.offset > offset);
    const end = firstKept === -1 ? this.points.length : firstKept;
    const lastAtOrBelow = end - 1;
    if (lastAtOrBelow > 0) this.points.splice(0, lastAtOrBelow);
  }

  /** Of several points at one offset, only the earliest and the latest say anything. */
  private collapseTies(offset: bigint): void {
    const same = this.points.flatMap((point, index) => (point.offset === offset ? [index] : []));
    if (same.length <= 2) return;
    const first = same[0] as number;
    const last = same[same.length - 1] as number;
    this.points.splice(first + 1, last - first - 1);
  }

  private thinOldest(): void {
    const half = Math.floor(this.points.length / 2);
    const older = this.points.slice(0, half).filter((_, index) => index % 2 === 0);
    this.points = [...older, ...this.points.slice(half)];
  }
}

/**
 * The timestamp of the message at `offset`, read from its bracket: messages are assumed evenly spread
 * in time between the two boundaries (exact when the bracket is one message wide).
 */
export function interpolateTime(offset: bigint, bracket: Required<OffsetBracket>): number {
  const { lower, upper } = bracket;
  const span = Number(upper.offset - lower.offset);
  const position = (Number(offset - lower.offset) + 0.5) / span;
  // Clocks of producers and of the monitor differ a little: never let the bracket run backwards.
  const duration = Math.max(0, upper.time - lower.time);
  return lower.time + position * duration;
}
