/**
 * CPU time of other processes from Linux's /proc, to say where a phase's time went: the storage
 * service, Postgres (every `postgres` process: the service's backends do the writing) and the broker.
 * Elsewhere every reading is undefined and the report says "n/a".
 */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: the unit of /proc/<pid>/stat times, 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface ProcessCpu {
  /** User plus system CPU time, seconds. */
  seconds: number;
}

/** Fields 14 and 15 of /proc/<pid>/stat (utime, stime), counted after the parenthesised command name. */
export function parseStatCpuSeconds(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const user = Number(fields[11]);
  const system = Number(fields[12]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) return undefined;
  return (user + system) / CLOCK_TICKS_PER_SECOND;
}

export function processCpu(pid: number): ProcessCpu | undefined {
  try {
    const seconds = parseStatCpuSeconds(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    return seconds === undefined ? undefined : { seconds };
  } catch {
    return undefined;
  }
}

/** Pids of the processes whose command name (/proc/<pid>/comm) passes `matches`. */
export function pidsWhere(matches: (comm: string, cmdline: string) => boolean): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (matches(comm, cmdline)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** CPU seconds of a group of processes found again at each reading (Postgres forks and ends backends). */
export class ProcessGroupCpu {
  private readonly start: Map<number, number>;

  constructor(private readonly find: () => number[]) {
    this.start = this.read();
  }

  /** CPU seconds the group used since construction: processes that ended in between are not counted. */
  secondsSinceStart(): number | undefined {
    const now = this.read();
    if (now.size === 0) return undefined;
    let total = 0;
    for (const [pid, seconds] of now) total += seconds - (this.start.get(pid) ?? 0);
    return total;
  }

  private read(): Map<number, number> {
    const seconds = new Map<number, number>();
    for (const pid of this.find()) {
      const cpu = processCpu(pid);
      if (cpu) seconds.set(pid, cpu.seconds);
    }
    return seconds;
  }
}

export const postgresProcesses = (): number[] => pidsWhere((comm) => comm === 'postgres');
export const kafkaBrokerProcesses = (): number[] =>
  pidsWhere((comm, cmdline) => comm === 'java' && cmdline.includes('kafka.Kafka'));
