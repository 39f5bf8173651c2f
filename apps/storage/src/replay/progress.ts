/** Where progress goes: a terminal gets a bar redrawn in place, anything else plain periodic lines. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressSnapshot {
  done: number;
  total: number;
  elapsedMs: number;
}

const BAR_WIDTH = 24;

export const formatCount = (value: number): string => Math.round(value).toLocaleString('en-US');

/** `0:07`, `12:34`, `1:02:03`: whole seconds, rounded up so that a running ETA never shows 0:00. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

/** A run's length for the summary: `0.8 s`, `42.0 s`, then `m:ss` from a minute on. */
export const formatElapsed = (ms: number): string =>
  ms < 60_000 ? `${(Math.max(0, ms) / 1000).toFixed(1)} s` : formatDuration(ms);

/** Articles per second so far; 0 before any time has passed. */
export const ratePerSecond = ({ done, elapsedMs }: ProgressSnapshot): number =>
  elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;

/** Time left at the rate so far, or undefined while there is no rate to go by. */
export function etaMs(snapshot: ProgressSnapshot): number | undefined {
  const rate = ratePerSecond(snapshot);
  if (snapshot.done >= snapshot.total) return 0;
  return rate > 0 ? ((snapshot.total - snapshot.done) / rate) * 1000 : undefined;
}

function percent({ done, total }: ProgressSnapshot): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  return `${(fraction * 100).toFixed(1)}%`;
}

/** `[#########---------------]` filled in proportion to done/total. */
export function formatBar({ done, total }: ProgressSnapshot, width = BAR_WIDTH): string {
  const fraction = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.floor(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function counts(snapshot: ProgressSnapshot): string {
  const eta = etaMs(snapshot);
  return (
    `${formatCount(snapshot.done)}/${formatCount(snapshot.total)} ${percent(snapshot)}  ` +
    `${formatCount(ratePerSecond(snapshot))}/s  ETA ${eta === undefined ? '-:--' : formatDuration(eta)}`
  );
}

/** The terminal line: bar, count/total, percentage, rate and ETA. */
export const formatProgressBar = (snapshot: ProgressSnapshot): string =>
  `${formatBar(snapshot)} ${counts(snapshot)}`;

/** The same for logs and pipes, one line per report. */
export const formatProgressLine = (snapshot: ProgressSnapshot): string =>
  `replay: ${counts(snapshot)}  elapsed ${formatDuration(snapshot.elapsedMs)}`;

export interface ProgressOptions {
  stream: ProgressStream;
  total: number;
  /** Milliseconds since some fixed point; injectable for tests. */
  now?: () => number;
  /** Least time between two redraws of the bar. */
  barIntervalMs?: number;
  /** Least time between two plain lines. */
  lineIntervalMs?: number;
}

/**
 * Reports a replay's progress without flooding the output: the bar is redrawn at most every
 * `barIntervalMs`, plain lines every `lineIntervalMs`. Messages (`note`) go on lines of their own
 * above the bar.
 */
export class ProgressReporter {
  private done = 0;
  private readonly startedAt: number;
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private barShown = false;
  private readonly now: () => number;
  private readonly interactive: boolean;
  private readonly intervalMs: number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.interactive = options.stream.isTTY === true;
    this.intervalMs = this.interactive ? (options.barIntervalMs ?? 100) : (options.lineIntervalMs ?? 5_000);
    // The bar shows at once; plain lines only once there is a rate to report (a short replay just
    // gets its final line).
    if (!this.interactive) this.lastReportAt = this.startedAt;
  }

  get snapshot(): ProgressSnapshot {
    return { done: this.done, total: this.options.total, elapsedMs: this.now() - this.startedAt };
  }

  advance(count: number): void {
    this.done += count;
    const at = this.now();
    if (at - this.lastReportAt < this.intervalMs) return;
    this.lastReportAt = at;
    this.draw();
  }

  /** A line of its own (a skipped article, a warning), keeping the bar below it. */
  note(line: string): void {
    this.clearBar();
    this.options.stream.write(`${line}\n`);
    if (this.interactive && this.done > 0) this.draw();
  }

  /** The final state, then the bar is left on its line. */
  finish(): void {
    this.draw();
    if (this.interactive && this.barShown) this.options.stream.write('\n');
    this.barShown = false;
  }

  private draw(): void {
    if (!this.interactive) {
      this.options.stream.write(`${formatProgressLine(this.snapshot)}\n`);
      return;
    }
    // A pseudo-terminal may report 0 columns.
    const columns = this.options.stream.columns ?? 0;
    const width = columns >= 20 ? columns : 80;
    this.options.stream.write(`\r${formatProgressBar(this.snapshot).slice(0, width - 1)}\x1b[K`);
    this.barShown = true;
  }

  private clearBar(): void {
    if (!this.barShown) return;
    this.options.stream.write('\r\x1b[K');
    this.barShown = false;
  }
}
