/**
 * The progress bar on stderr while a phase runs. On a terminal one line is redrawn in place; otherwise
 * (CI logs, a file) a plain line is written every 5 s, so the log stays readable.
 */

export interface ProgressState {
  phase: string;
  /** Articles in the phase. */
  total: number;
  dropped: number;
  enriched: number;
  stored: number;
  notified: number;
  elapsedSeconds: number;
}

const BAR_WIDTH = 24;

/** `steady [██████░░░░░] 40% dropped 400/1000 enriched 380 stored 370 webhooks 365 12s`. */
export function renderProgress(state: ProgressState): string {
  const total = Math.max(1, state.total);
  const done = Math.min(state.stored, state.notified);
  const share = Math.min(1, done / total);
  const filled = Math.round(share * BAR_WIDTH);
  return (
    `${state.phase} [${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}% ` +
    `dropped ${state.dropped}/${state.total} enriched ${state.enriched} stored ${state.stored} ` +
    `webhooks ${state.notified} ${state.elapsedSeconds.toFixed(0)}s`
  );
}

export class ProgressBar {
  private lastPlainAt = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly plainEveryMs = 5_000,
  ) {}

  update(state: ProgressState): void {
    const line = renderProgress(state);
    if (this.stream.isTTY) {
      const width = this.stream.columns > 0 ? this.stream.columns - 1 : line.length;
      this.stream.write(`\r${line.slice(0, width).padEnd(Math.min(width, line.length))}\x1b[K`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlainAt >= this.plainEveryMs) {
      this.lastPlainAt = now;
      this.stream.write(`${line}\n`);
    }
  }

  /** The final state on a line of its own. */
  done(state: ProgressState): void {
    const line = renderProgress(state);
    this.stream.write(this.stream.isTTY && this.drawn ? `\r${line}\x1b[K\n` : `${line}\n`);
    this.drawn = false;
    this.lastPlainAt = 0;
  }
}
