/** Entries a group write takes at most; the rest wait for the next group. */
const DEFAULT_MAX_GROUP = 500;

interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes items in groups, one write at a time: what arrives while a write is under way goes into the
 * next one (group commit). Alone, an item is written at once (after the current event-loop turn, so
 * items added in the same turn share the write); under load, one statement records many. Each add()
 * resolves once its item is written. When a group fails, its items are written one by one, so one bad
 * item fails only its own caller.
 */
export class GroupedWrites<T> {
  private waiting: Waiting<T>[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly maxGroup = DEFAULT_MAX_GROUP,
  ) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  /** Resolves when everything added so far is written (or failed). */
  async settled(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, this.maxGroup);
        await this.writeGroup(group);
      }
    } finally {
      this.writing = undefined;
    }
  }

  private async writeGroup(group: Waiting<T>[]): Promise<void> {
    try {
      await this.write(group.map((entry) => entry.item));
      for (const entry of group) entry.resolve();
      return;
    } catch (error) {
      if (group.length === 1) {
        group[0]?.reject(error);
        return;
      }
    }
    for (const entry of group) {
      try {
        await this.write([entry.item]);
        entry.resolve();
      } catch (error) {
        entry.reject(error);
      }
    }
  }
}
