interface Submission<T> {
  items: readonly T[];
  /** Its items' total weight (see BatchCoalescerOptions.weigh). */
  weight: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface BatchCoalescerOptions<T> {
  /** Most items one merged call takes; a single submission larger than this still runs whole. */
  maxItems: number;
  /**
   * A second bound, on the items' total weight (bytes, say): with `weigh`, a merged call takes at most
   * `maxWeight` of it, again unless a single submission weighs more on its own.
   */
  maxWeight?: number;
  weigh?: (item: T) => number;
  /**
   * Whether the submissions of a merged call that failed with this error are run again one by one
   * (the default, for errors one bad item causes). False rejects them all with the error at once: for
   * errors of the whole call (the server is unreachable), where running each again only waits longer.
   */
  isolateFailure?: (error: unknown) => boolean;
}

/**
 * Merges batches submitted at about the same time into one call of `run`.
 *
 * kafkajs hands a consumer one partition at a time, so a consumer that keeps up sees a few messages per
 * partition per fetch, and a batch handler would pay a transaction (statements, a commit) for each
 * sliver. The partitions it handles concurrently each submit their chunk here instead, and one call
 * takes them all, as Kafka Connect's sinks take a poll's records from every partition. While a call
 * runs, new submissions wait and are merged into the next one, so batches grow with the load instead of
 * calls queueing up; calls never overlap.
 *
 * A submission resolves once a call that included it succeeded. When a merged call fails, each of its
 * submissions is run again on its own: one bad chunk fails alone (and goes the way of any failed batch:
 * retried, then one message at a time), and the others succeed.
 */
export class BatchCoalescer<T> {
  private pending: Submission<T>[] = [];
  private draining: Promise<void> | undefined;

  constructor(
    private readonly run: (items: readonly T[]) => Promise<void>,
    private readonly options: BatchCoalescerOptions<T>,
  ) {
    if (!Number.isInteger(options.maxItems) || options.maxItems < 1) {
      throw new Error(`maxItems must be a positive integer, got ${options.maxItems}`);
    }
    if ((options.weigh === undefined) !== (options.maxWeight === undefined)) {
      throw new Error('maxWeight and weigh go together');
    }
    if (options.maxWeight !== undefined && !(options.maxWeight > 0)) {
      throw new Error(`maxWeight must be positive, got ${options.maxWeight}`);
    }
  }

  /** Resolves when the items are done (in a merged call or alone); rejects with their own call's error. */
  submit(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const { weigh } = this.options;
      const weight = weigh === undefined ? 0 : items.reduce((sum, item) => sum + weigh(item), 0);
      this.pending.push({ items, weight, resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Resolves once everything submitted so far is done (or failed): for a clean shutdown. */
  async settled(): Promise<void> {
    while (this.draining !== undefined) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      // The next turn of the event loop: partitions being handled at the same moment submit by then.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.pending.length > 0) await this.runMerged(this.takeNext());
    } finally {
      this.draining = undefined;
    }
  }

  /** The oldest submissions that fit in maxItems (and maxWeight) together (at least one). */
  private takeNext(): Submission<T>[] {
    const maxWeight = this.options.maxWeight ?? Infinity;
    let count = 0;
    let weight = 0;
    let taken = 0;
    for (const submission of this.pending) {
      const fits =
        count + submission.items.length <= this.options.maxItems && weight + submission.weight <= maxWeight;
      if (taken > 0 && !fits) break;
      count += submission.items.length;
      weight += submission.weight;
      taken += 1;
    }
    return this.pending.splice(0, taken);
  }

  private async runMerged(group: readonly Submission<T>[]): Promise<void> {
    if (group.length === 1) {
      await this.runAlone(group[0] as Submission<T>);
      return;
    }
    try {
      await this.run(group.flatMap((submission) => submission.items));
    } catch (error) {
      if (this.options.isolateFailure?.(error) === false) {
        for (const submission of group) submission.reject(error);
        return;
      }
      // Which submission failed is unknown: each gets its own call, and its own outcome.
      for (const submission of group) await this.runAlone(submission);
      return;
    }
    for (const submission of group) submission.resolve();
  }

  private async runAlone(submission: Submission<T>): Promise<void> {
    try {
      await this.run(submission.items);
      submission.resolve();
    } catch (error) {
      submission.reject(error);
    }
  }
}
