import { ProgressBar, type ProgressState, renderProgress } from './progress';

const state: ProgressState = {
  phase: 'full',
  total: 1_000,
  dropped: 1_000,
  enriched: 600,
  stored: 500,
  notified: 400,
  elapsedSeconds: 12.4,
};

describe('renderProgress', () => {
  it('fills the bar by the articles both stored and delivered', () => {
    const line = renderProgress(state);
    expect(line).toBe(
      'full [██████████░░░░░░░░░░░░░░]  40% dropped 1000/1000 enriched 600 stored 500 webhooks 400 12s',
    );
  });

  it('never goes past 100% and copes with an empty phase', () => {
    expect(renderProgress({ ...state, stored: 2_000, notified: 2_000 })).toContain(
      '[████████████████████████] 100%',
    );
    expect(renderProgress({ ...state, total: 0, stored: 0, notified: 0 })).toContain('0%');
  });
});

describe('ProgressBar', () => {
  function capture(isTTY: boolean): { stream: NodeJS.WriteStream; text: () => string } {
    let text = '';
    const fake = {
      isTTY,
      columns: 200,
      write: (chunk: string) => {
        text += chunk;
        return true;
      },
    };
    return { stream: fake as unknown as NodeJS.WriteStream, text: () => text };
  }

  it('redraws one line in place on a terminal', () => {
    const { stream, text } = capture(true);
    const bar = new ProgressBar(stream);
    bar.update(state);
    bar.update({ ...state, stored: 600, notified: 600 });
    bar.done({ ...state, stored: 1_000, notified: 1_000 });
    expect(text().split('\r')).toHaveLength(4);
    expect(text().endsWith('\n')).toBe(true);
    expect(text().split('\n')).toHaveLength(2);
  });

  it('writes plain lines, at most one per interval, elsewhere', () => {
    const { stream, text } = capture(false);
    const bar = new ProgressBar(stream, 60_000);
    bar.update(state);
    bar.update({ ...state, stored: 600 });
    bar.done({ ...state, stored: 1_000, notified: 1_000 });
    expect(text()).not.toContain('\r');
    expect(text().trimEnd().split('\n')).toHaveLength(2);
  });
});
