import { BatchCoalescer } from './batch-coalescer';

/** A run function that records its calls and can be held open or made to fail on chosen items. */
function recordingRun(options: { failOn?: string } = {}) {
  const calls: string[][] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const run = async (items: readonly string[]) => {
    calls.push([...items]);
    if (hold) await new Promise<void>((resolve) => (release = resolve));
    if (options.failOn !== undefined && items.includes(options.failOn)) {
      throw new Error(`cannot write ${options.failOn}`);
    }
  };
  return {
    run,
    calls,
    holdNext: () => (hold = true),
    releaseHeld: () => {
      hold = false;
      release?.();
    },
  };
}

describe('BatchCoalescer', () => {
  it('merges batches submitted in the same turn into one call, in submission order', async () => {
    const recorder = recordingRun();
    const coalescer = new BatchCoalescer(recorder.run, { maxItems: 100 });

    await Promise.all([coalescer.submit(['a1', 'a2']), coalescer.submit(['b1']), coalescer.submit(['c1'])]);

    expect(recorder.calls).toEqual([['a1', 'a2', 'b1', 'c1']]);
  });

  it('collects what is submitted while a call runs into the next call', async () => {
    const recorder = recordingRun();
    const coalescer = new BatchCoalescer(recorder.run, { maxItems: 100 });
    recorder.holdNext();
    const first = coalescer.submit(['a1']);
    await new Promise((resolve) => setImmediate(resolve));
    const later = [coalescer.submit(['b1']), coalescer.submit(['c1'])];
    recorder.releaseHeld();

    await Promise.all([first, ...later]);

    expect(recorder.calls).toEqual([['a1'], ['b1', 'c1']]);
  });

  it('never merges past maxItems, but runs a larger single submission whole', async () => {
    const recorder = recordingRun();
    const coalescer = new BatchCoalescer(recorder.run, { maxItems: 3 });

    await Promise.all([
      coalescer.submit(['a1', 'a2']),
      coalescer.submit(['b1', 'b2']),
      coalescer.submit(['c1', 'c2', 'c3', 'c4']),
      coalescer.submit(['d1']),
    ]);

    expect(recorder.calls).toEqual([['a1', 'a2'], ['b1', 'b2'], ['c1', 'c2', 'c3', 'c4'], ['d1']]);
  });

  it('bounds the merged weight too, when given one', async () => {
    const recorder = recordingRun();
    const coalescer = new BatchCoalescer(recorder.run, {
      maxItems: 100,
      maxWeight: 10,
      weigh: (item: string) => item.length,
    });

    await Promise.all([
      coalescer.submit(['aaaa']),
      coalescer.submit(['bbbb']),
      coalescer.submit(['cccc']),
      coalescer.submit(['dddddddddddd']),
      coalescer.submit(['e']),
    ]);

    expect(recorder.calls).toEqual([['aaaa', 'bbbb'], ['cccc'], ['dddddddddddd'], ['e']]);
  });

  it('refuses a weight bound without a way to weigh', () => {
    expect(() => new BatchCoalescer(recordingRun().run, { maxItems: 1, maxWeight: 10 })).toThrow(
      'maxWeight and weigh go together',
    );
  });

  it('runs each submission alone after a merged call fails: only the bad one rejects', async () => {
    const recorder = recordingRun({ failOn: 'b1' });
    const coalescer = new BatchCoalescer(recorder.run, { maxItems: 100 });

    const outcomes = await Promise.allSettled([
      coalescer.submit(['a1']),
      coalescer.submit(['b1', 'b2']),
      coalescer.submit(['c1']),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toEqual(new Error('cannot write b1'));
    expect(recorder.calls).toEqual([['a1', 'b1', 'b2', 'c1'], ['a1'], ['b1', 'b2'], ['c1']]);
  });

  it('rejects every submission of a failed merged call at once when the error is not one to isolate', async () => {
    const recorder = recordingRun({ failOn: 'b1' });
    const coalescer = new BatchCoalescer(recorder.run, {
      maxItems: 100,
      isolateFailure: (error) => !String(error).includes('cannot write'),
    });

    const outcomes = await Promise.allSettled([coalescer.submit(['a1']), coalescer.submit(['b1'])]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(recorder.calls).toEqual([['a1', 'b1']]);
  });

  it('keeps working after a failure', async () => {
    const recorder = recordingRun({ failOn: 'bad' });
    const coalescer = new BatchCoalescer(recorder.run, { maxItems: 100 });

    await expect(coalescer.submit(['bad'])).rejects.toThrow('cannot write bad');
    await coalescer.submit(['good']);

    expect(recorder.calls).toEqual([['bad'], ['good']]);
  });

  it('settles once everything submitted so far is done', async () => {
    const recorder = recordingRun({ failOn: 'bad' });
    const coalescer = new BatchCoalescer(recorder.run, { maxItems: 100 });
    recorder.holdNext();
    const outcomes = Promise.allSettled([coalescer.submit(['a1']), coalescer.submit(['bad'])]);
    await new Promise((resolve) => setImmediate(resolve));
    const settled = coalescer.settled().then(() => recorder.calls.length);
    recorder.releaseHeld();

    expect(await settled).toBe(3);
    expect((await outcomes).map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    await coalescer.settled();
  });

  it('resolves an empty submission without a call, and refuses a maxItems below 1', async () => {
    const recorder = recordingRun();
    await new BatchCoalescer(recorder.run, { maxItems: 10 }).submit([]);
    expect(recorder.calls).toEqual([]);
    expect(() => new BatchCoalescer(recorder.run, { maxItems: 0 })).toThrow('maxItems');
  });
});
