import {
  ProgressReporter,
  type ProgressStream,
  etaMs,
  formatBar,
  formatCount,
  formatDuration,
  formatElapsed,
  formatProgressBar,
  formatProgressLine,
} from './progress';

describe('progress formatting', () => {
  it('formats durations as m:ss or h:mm:ss, rounding up', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(1)).toBe('0:01');
    expect(formatDuration(7_000)).toBe('0:07');
    expect(formatDuration(754_200)).toBe('12:35');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
    expect(formatDuration(-5)).toBe('0:00');
  });

  it('gives a run length in tenths of a second under a minute', () => {
    expect(formatElapsed(760)).toBe('0.8 s');
    expect(formatElapsed(42_000)).toBe('42.0 s');
    expect(formatElapsed(61_000)).toBe('1:01');
  });

  it('groups thousands', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(812.6)).toBe('813');
  });

  it('fills the bar in proportion, never past full', () => {
    expect(formatBar({ done: 0, total: 10, elapsedMs: 0 }, 10)).toBe('[----------]');
    expect(formatBar({ done: 5, total: 10, elapsedMs: 0 }, 10)).toBe('[#####-----]');
    expect(formatBar({ done: 12, total: 10, elapsedMs: 0 }, 10)).toBe('[##########]');
    expect(formatBar({ done: 0, total: 0, elapsedMs: 0 }, 4)).toBe('[####]');
  });

  it('estimates the time left from the rate so far', () => {
    expect(etaMs({ done: 250, total: 1000, elapsedMs: 1_000 })).toBe(3_000);
    expect(etaMs({ done: 0, total: 1000, elapsedMs: 1_000 })).toBeUndefined();
    expect(etaMs({ done: 1000, total: 1000, elapsedMs: 0 })).toBe(0);
  });

  it('shows count/total, percentage, rate and ETA on the bar and the plain line', () => {
    const snapshot = { done: 1234, total: 5000, elapsedMs: 2_000 };
    expect(formatProgressBar(snapshot)).toBe('[#####-------------------] 1,234/5,000 24.7%  617/s  ETA 0:07');
    expect(formatProgressLine(snapshot)).toBe('replay: 1,234/5,000 24.7%  617/s  ETA 0:07  elapsed 0:02');
    expect(formatProgressLine({ done: 0, total: 10, elapsedMs: 0 })).toContain('0/s  ETA -:--');
  });
});

class FakeStream implements ProgressStream {
  readonly writes: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 120,
  ) {}
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
  get text(): string {
    return this.writes.join('');
  }
}

describe('ProgressReporter', () => {
  it('redraws the bar in place on a terminal, at most every barIntervalMs', () => {
    let now = 0;
    const stream = new FakeStream(true);
    const progress = new ProgressReporter({ stream, total: 100, now: () => now, barIntervalMs: 100 });
    now = 10;
    progress.advance(10);
    now = 50;
    progress.advance(10); // too soon: not drawn
    now = 200;
    progress.advance(30);
    progress.finish();
    const draws = stream.writes.filter((write) => write.startsWith('\r['));
    expect(draws).toHaveLength(3);
    expect(draws[0]).toContain(' 10/100 ');
    expect(draws[1]).toContain(' 50/100 ');
    expect(draws[2]).toContain(' 50/100 ');
    expect(stream.text.endsWith('\n')).toBe(true);
    expect(stream.text).not.toMatch(/^replay:/m);
  });

  it('keeps the bar within the terminal width', () => {
    const stream = new FakeStream(true, 30);
    const progress = new ProgressReporter({ stream, total: 100, now: () => 1_000 });
    progress.advance(1);
    const bar = stream.writes[0] ?? '';
    expect(bar.replace('\r', '').replace('\x1b[K', '').length).toBeLessThanOrEqual(29);
  });

  it('writes notes on lines of their own above the bar', () => {
    let now = 0;
    const stream = new FakeStream(true);
    const progress = new ProgressReporter({ stream, total: 10, now: () => now });
    now = 1_000;
    progress.advance(1);
    progress.note('skipped article abc: text: Too small');
    expect(stream.writes.slice(1)).toEqual([
      '\r\x1b[K',
      'skipped article abc: text: Too small\n',
      expect.stringMatching(/^\r\[.* 1\/10 /),
    ]);
  });

  it('writes plain lines, no control characters, every lineIntervalMs elsewhere', () => {
    let now = 0;
    const stream = new FakeStream(false);
    const progress = new ProgressReporter({ stream, total: 1000, now: () => now, lineIntervalMs: 5_000 });
    for (let second = 1; second <= 12; second++) {
      now = second * 1000;
      progress.advance(50);
    }
    progress.finish();
    expect(stream.writes).toEqual([
      'replay: 250/1,000 25.0%  50/s  ETA 0:15  elapsed 0:05\n',
      'replay: 500/1,000 50.0%  50/s  ETA 0:10  elapsed 0:10\n',
      'replay: 600/1,000 60.0%  50/s  ETA 0:08  elapsed 0:12\n',
    ]);
    expect(stream.text).not.toContain('\r');
    expect(stream.text).not.toContain('\x1b');
  });
});
