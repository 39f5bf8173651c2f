import { execFileSync } from 'node:child_process';
import { cpus, freemem, loadavg, totalmem } from 'node:os';

/** The machine a benchmark ran on, written beside its numbers so results from different runs compare. */
export function describeMachine(loadAtStart: readonly number[]) {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 1e6),
    freeMemoryMbAtEnd: Math.round(freemem() / 1e6),
    loadAverageAtStart: loadAtStart.map((load) => Number(load.toFixed(2))),
    loadAverageAtEnd: loadavg().map((load) => Number(load.toFixed(2))),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** The commit measured, and whether the working tree had changes on top of it. */
export function gitState(root: string): { commit: string; dirty: boolean } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** `YYYY-MM-DDTHH-MM-SSZ`: a result file name part that sorts by time and is valid everywhere. */
export function resultStamp(startedAt: Date): string {
  return `${startedAt.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}
