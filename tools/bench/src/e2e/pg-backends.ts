/**
 * Which service each Postgres backend works for, so that Postgres's CPU time can be charged to the
 * service whose queries cost it (all four share one database). Linux only: a backend's process title
 * names its client's address and port (`postgres: 15/main: postgres newsflow_bench_e2e 127.0.0.1(39418)
 * idle`), and the client's port belongs to a socket that one service process holds open
 * (/proc/<pid>/fd → `socket:[inode]`, /proc/net/tcp → inode and local port). Elsewhere nothing matches.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

import { pidsWhere, processCpu } from '../storage/proc';

/** Socket inode → local port, from the text of /proc/net/tcp or /proc/net/tcp6. */
export function parseProcNetTcp(text: string): Map<number, number> {
  const ports = new Map<number, number>();
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    const local = fields[1];
    const inode = Number(fields[9]);
    if (local === undefined || !Number.isInteger(inode) || inode === 0) continue;
    const port = Number.parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
    if (Number.isInteger(port)) ports.set(inode, port);
  }
  return ports;
}

/** The client port in a backend's process title, e.g. 39418 of `… newsflow_bench_e2e 127.0.0.1(39418) idle`. */
export function backendClientPort(title: string, database: string): number | undefined {
  const match = new RegExp(` ${escapeRegExp(database)} [^ ]+\\((\\d+)\\)`).exec(title);
  return match ? Number(match[1]) : undefined;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function socketInodes(pid: number): number[] {
  const inodes: number[] = [];
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.push(Number(match[1]));
    } catch {
      // Closed meanwhile.
    }
  }
  return inodes;
}

function localPortsByInode(): Map<number, number> {
  const ports = new Map<number, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const [inode, port] of parseProcNetTcp(readFileSync(file, 'utf8'))) ports.set(inode, port);
    } catch {
      // Not Linux, or no IPv6.
    }
  }
  return ports;
}

/**
 * A finder for ProcessGroupCpu: the pids of `database`'s backends whose client is process `clientPid`,
 * looked up again at each call (pools open and close connections).
 */
export function backendsOf(clientPid: () => number | undefined, database: string): () => number[] {
  return () => {
    const pid = clientPid();
    if (pid === undefined) return [];
    const byInode = localPortsByInode();
    const clientPorts = new Set(
      socketInodes(pid).flatMap((inode) => {
        const port = byInode.get(inode);
        return port === undefined ? [] : [port];
      }),
    );
    return pidsWhere((comm, cmdline) => {
      if (comm !== 'postgres') return false;
      const port = backendClientPort(cmdline, database);
      return port !== undefined && clientPorts.has(port);
    });
  };
}

/**
 * CPU seconds of a changing set of processes, read every second: pools close idle connections, and a
 * backend that has ended can no longer be read, so its last reading is kept.
 */
export class SampledGroupCpu {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private everFound = false;

  constructor(
    private readonly find: () => number[],
    intervalMs = 1_000,
  ) {
    this.read(true);
    this.timer = setInterval(() => this.read(false), intervalMs);
    this.timer.unref();
  }

  /** Stops sampling; CPU seconds since construction (processes that started later count from 0). */
  stop(): number | undefined {
    clearInterval(this.timer);
    this.read(false);
    if (!this.everFound) return undefined;
    let total = 0;
    for (const [pid, seconds] of this.last) total += seconds - (this.first.get(pid) ?? 0);
    return total;
  }

  private read(initial: boolean): void {
    for (const pid of this.find()) {
      const seconds = processCpu(pid)?.seconds;
      if (seconds === undefined) continue;
      this.everFound = true;
      if (initial) this.first.set(pid, seconds);
      this.last.set(pid, seconds);
    }
  }
}
