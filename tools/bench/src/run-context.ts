import { type ExecFileSyncOptionsWithStringEncoding, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

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
    // git's own complaint (outside a checkout) is not the benchmark's: the result says "unknown".
    const quiet: ExecFileSyncOptionsWithStringEncoding = {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    };
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], quiet).trim();
    const status = execFileSync('git', ['status', '--porcelain'], quiet);
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

/** `YYYY-MM-DDTHH-MM-SSZ`: a result file name part that sorts by time and is valid everywhere. */
export function resultStamp(startedAt: Date): string {
  return `${startedAt.toISOString().slice(0, 19).replace(/:/g, '-')}Z`;
}

export type MachineDescription = ReturnType<typeof describeMachine>;

/** What a benchmark writes about one run; the machine is described once the run is over. */
export interface BenchResults {
  /** The JSON's `benchmark` and the file names' prefix: `ingest`, `storage`, `e2e`. */
  benchmark: string;
  /** The Markdown heading, followed by the run's start time. */
  title: string;
  startedAt: Date;
  loadAtStart: readonly number[];
  /** The JSON's fields after benchmark, startedAt, machine and git. */
  json(machine: MachineDescription): Record<string, unknown>;
  /** The Markdown lines after the machine, load and commit lines. */
  markdown(machine: MachineDescription): string[];
}

/**
 * Writes `bench/results/<benchmark>-<stamp>.json` and `.md`, both led by the machine, its load at the
 * start and end, and the commit (with "uncommitted changes" when the tree was dirty), so numbers from
 * different runs and benchmarks are read with the same context. Returns the two paths.
 */
export function writeBenchResults(root: string, results: BenchResults): string[] {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const machine = describeMachine(results.loadAtStart);
  const git = gitState(root);
  const base = join(dir, `${results.benchmark}-${resultStamp(results.startedAt)}`);
  const json = {
    benchmark: results.benchmark,
    startedAt: results.startedAt.toISOString(),
    machine,
    git,
    ...results.json(machine),
  };
  writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
  const markdown = [
    `# ${results.title}, ${results.startedAt.toISOString()}`,
    '',
    `- Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.totalMemoryMb} MB RAM, ${machine.platform}, Node ${machine.node}`,
    `- Load average (1/5/15 min) at start ${machine.loadAverageAtStart.join(' / ')}, at end ${machine.loadAverageAtEnd.join(' / ')}`,
    `- Commit: ${git.commit}${git.dirty ? ' (with uncommitted changes)' : ''}`,
    ...results.markdown(machine),
  ];
  writeFileSync(`${base}.md`, markdown.join('\n'));
  return [`${base}.json`, `${base}.md`];
}
