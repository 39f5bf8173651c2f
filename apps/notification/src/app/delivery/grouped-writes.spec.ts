import { GroupedWrites } from './grouped-writes';

/** A write that records its groups and resolves when the test says so. */
function controlledWrite(fails: (item: number) => boolean = () => false) {
  const groups: number[][] = [];
  const pending: (() => void)[] = [];
  const write = async (items: number[]) => {
    groups.push(items);
    await new Promise<void>((resolve) => pending.push(resolve));
    const bad = items.find(fails);
    if (bad !== undefined) throw new Error(`cannot write ${bad}`);
  };
  const finishNext = async () => {
    while (pending.length === 0) await new Promise((resolve) => setImmediate(resolve));
    pending.shift()?.();
  };
  return { groups, write, finishNext };
}

describe('GroupedWrites', () => {
  it('writes the items added in one turn together, and those added meanwhile in the next write', async () => {
    const { groups, write, finishNext } = controlledWrite();
    const writes = new GroupedWrites(write);
    const first = [writes.add(1), writes.add(2), writes.add(3)];
    await new Promise((resolve) => setImmediate(resolve));
    // The first write is under way: these wait for it.
    const second = [writes.add(4), writes.add(5)];
    expect(groups).toEqual([[1, 2, 3]]);

    await finishNext();
    await Promise.all(first);
    await finishNext();
    await Promise.all(second);
    expect(groups).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    await writes.settled();
  });

  it('takes at most maxGroup items per write', async () => {
    const groups: number[][] = [];
    const writes = new GroupedWrites(async (items: number[]) => {
      groups.push(items);
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((item) => writes.add(item)));
    expect(groups).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('when a group fails, writes its items one by one: only the bad one rejects', async () => {
    const groups: number[][] = [];
    const writes = new GroupedWrites(async (items: number[]) => {
      groups.push(items);
      if (items.includes(2)) throw new Error('cannot write 2');
    });
    const results = await Promise.allSettled([1, 2, 3].map((item) => writes.add(item)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(groups).toEqual([[1, 2, 3], [1], [2], [3]]);
  });

  it('an item alone that fails rejects with the write error, and later items are still written', async () => {
    const { groups, write, finishNext } = controlledWrite((item) => item === 7);
    const writes = new GroupedWrites(write);
    const failing = writes.add(7);
    await finishNext();
    await expect(failing).rejects.toThrow('cannot write 7');
    const next = writes.add(8);
    await finishNext();
    await expect(next).resolves.toBeUndefined();
    expect(groups).toEqual([[7], [8]]);
  });
});
