/**
 * Peak memory of the running process: `process.memoryUsage()` sampled every 50 ms. A timer only fires
 * when the event loop is free, so the phases yield to it regularly (see `yieldToEventLoop`); the last
 * sample is taken on `stop()` whatever the loop did.
 */
import { readFileSync } from 'node:fs';
import { setImmediate as immediate } from 'node:timers/promises';

export const SAMPLE_INTERVAL_MS = 50;

export interface MemoryPeaks {
  /** Resident set size when sampling started, in bytes. */
  rssStart: number;
  rssPeak: number;
  heapUsedPeak: number;
  /** Memory of Buffers and other objects outside the V8 heap (`external`, which includes `arrayBuffers`). */
  externalPeak: number;
  samples: number;
}

export class MemorySampler {
  private readonly peaks: MemoryPeaks;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = SAMPLE_INTERVAL_MS) {
    const { rss, heapUsed, external } = process.memoryUsage();
    this.peaks = { rssStart: rss, rssPeak: rss, heapUsedPeak: heapUsed, externalPeak: external, samples: 1 };
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  stop(): MemoryPeaks {
    clearInterval(this.timer);
    this.sample();
    return { ...this.peaks };
  }

  private sample(): void {
    const { rss, heapUsed, external } = process.memoryUsage();
    this.peaks.samples++;
    if (rss > this.peaks.rssPeak) this.peaks.rssPeak = rss;
    if (heapUsed > this.peaks.heapUsedPeak) this.peaks.heapUsedPeak = heapUsed;
    if (external > this.peaks.externalPeak) this.peaks.externalPeak = external;
  }
}

/** Lets timers (the sampler) run in the middle of a synchronous loop. */
export async function yieldToEventLoop(): Promise<void> {
  await immediate();
}

export interface SchedStat {
  /** Time the main thread ran on a CPU, ns. */
  runNs: number;
  /** Time it was runnable but waited for a CPU (other processes had them), ns. */
  waitNs: number;
}

/**
 * The scheduler's account of the main thread (Linux `/proc/self/schedstat`), or undefined elsewhere.
 * Wall time minus run and wait time is the time the thread slept: waiting for the broker or the disk.
 */
export function schedStat(): SchedStat | undefined {
  try {
    const [runNs, waitNs] = readFileSync('/proc/self/schedstat', 'utf8').trim().split(/\s+/).map(Number);
    return Number.isFinite(runNs) && Number.isFinite(waitNs) ? { runNs, waitNs } : undefined;
  } catch {
    return undefined;
  }
}
