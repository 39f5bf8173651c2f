import { type Dirent, type FSWatcher, type Stats, watch } from 'node:fs';
import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { isIgnoredLocalName } from '@newsflow/object-store';

export interface InboxWatcherOptions {
  inboxDir: string;
  stableMs: number;
  onFile: (absolutePath: string) => void;
  onError: (error: unknown) => void;
}

/** The same names the folder store skips when listing: dot-files and folders, files still being written. */
export function isIgnoredInboxPath(inboxDir: string, file: string): boolean {
  const relative = path.relative(inboxDir, file);
  if (relative === '') return false;
  const segments = relative.split(path.sep);
  const name = segments.pop() ?? '';
  return (
    segments.some((segment) => isIgnoredLocalName(segment, 'directory')) || isIgnoredLocalName(name, 'file')
  );
}

/** The file as last looked at, and since when (our clock) it has looked like that. */
interface Observation {
  size: number;
  mtimeMs: number;
  ino: number;
  since: number;
}

/**
 * How long a file has been left alone: since its last write by its mtime, or since it was first seen as it
 * is now when that is later (a file system whose clock runs ahead gives mtimes in the future).
 */
export function quietForMs(observation: Observation, now: number): number {
  return now - Math.min(observation.mtimeMs, observation.since);
}

interface WatchedDirectory {
  watcher: FSWatcher;
  ino: number;
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * Reports new or changed files in a local inbox, recursively, once nothing has written to them for
 * `stableMs` (a writer may still be appending). Files present at start-up are found by reconciliation.
 *
 * One non-recursive `fs.watch` (one inotify watch) per folder, never one per file, and an event costs one
 * `lstat` of the file it names: the cost of a new file does not depend on how many files the folder
 * holds. (chokidar re-read and lstat-ed the whole folder on each event, kept one watch per file and
 * polled every unsettled file; Node 20's `fs.watch(..., { recursive: true })` on Linux is emulated in
 * JavaScript with one watch and a synchronous stat per file, and re-lists a folder synchronously when
 * it changes.) A file is settled when its mtime is `stableMs` old: a file renamed in after it was written
 * is reported at once, a file still being written is looked at again when it would be settled.
 *
 * Not seen here, and left to reconciliation: events the kernel drops (inotify queue overflow), and
 * folders the watch limit (fs.inotify.max_user_watches) leaves unwatched, reported through `onError`.
 */
export class InboxWatcher {
  private readonly directories = new Map<string, WatchedDirectory>();
  /** Files waiting to settle: what they looked like, and the timer of their next look. */
  private readonly unsettled = new Map<string, { seen?: Observation; timer?: NodeJS.Timeout }>();
  private closed = false;

  constructor(private readonly options: InboxWatcherOptions) {}

  async start(): Promise<void> {
    await this.watchDirectory(path.resolve(this.options.inboxDir), false);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { watcher } of this.directories.values()) watcher.close();
    this.directories.clear();
    for (const { timer } of this.unsettled.values()) clearTimeout(timer);
    this.unsettled.clear();
  }

  /** Folders being watched (for tests and diagnostics). */
  get watchedDirectories(): number {
    return this.directories.size;
  }

  /**
   * Watches a folder and the folders below it; the watch is set before the listing, so nothing created
   * in between is missed. `reportFiles`: the folder is new (created or moved in while running), so the
   * files already inside are new too.
   */
  private async watchDirectory(dir: string, reportFiles: boolean): Promise<void> {
    if (this.closed || this.directories.has(dir)) return;
    let entries: Dirent[];
    try {
      const { ino } = await lstat(dir);
      if (this.closed || this.directories.has(dir)) return;
      const watcher = watch(dir, { persistent: true }, (_event, name) => this.onEvent(dir, name));
      watcher.on('error', (error) => {
        this.forgetDirectory(dir);
        if (!isMissing(error)) this.options.onError(error);
      });
      this.directories.set(dir, { watcher, ino });
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (!isMissing(error)) this.options.onError(error);
      return;
    }
    for (const entry of entries) {
      if (this.closed) return;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!isIgnoredLocalName(entry.name, 'directory')) await this.watchDirectory(full, reportFiles);
      } else if (reportFiles && !isIgnoredLocalName(entry.name, 'file')) {
        this.track(full);
      }
    }
  }

  private onEvent(dir: string, name: string | null): void {
    // No name: the kernel did not say what changed; reconciliation lists the folder.
    if (this.closed || name === null) return;
    // Dot-names are skipped whatever they are; other names are judged once we know file or folder.
    if (name.startsWith('.')) return;
    const full = path.join(dir, name);
    if (this.directories.has(full)) this.recheckDirectory(full);
    else this.track(full);
  }

  /** A watched folder was renamed, removed or replaced: stop watching what is no longer there. */
  private recheckDirectory(dir: string): void {
    lstat(dir).then(
      (stats) => {
        const watched = this.directories.get(dir);
        if (watched && stats.isDirectory() && stats.ino === watched.ino) return;
        this.forgetDirectory(dir);
        if (stats.isDirectory()) void this.watchDirectory(dir, true);
      },
      (error: unknown) => {
        this.forgetDirectory(dir);
        if (!isMissing(error)) this.options.onError(error);
      },
    );
  }

  private forgetDirectory(dir: string): void {
    const below = `${dir}${path.sep}`;
    for (const [watched, { watcher }] of this.directories) {
      if (watched !== dir && !watched.startsWith(below)) continue;
      watcher.close();
      this.directories.delete(watched);
    }
  }

  /** Something happened to this path: look at it now, unless a look is scheduled already. */
  private track(file: string): void {
    if (this.closed || this.unsettled.has(file)) return;
    this.unsettled.set(file, {});
    void this.look(file);
  }

  private async look(file: string): Promise<void> {
    let stats: Stats;
    let linked = false;
    try {
      stats = await lstat(file);
      // A symbolic link counts as the file it points to (the store reads it if it stays inside the inbox);
      // a linked folder is not followed (nor listed by the store), so a link loop cannot run away.
      linked = stats.isSymbolicLink();
      if (linked) stats = await stat(file);
    } catch (error) {
      this.unsettled.delete(file);
      if (!isMissing(error)) this.options.onError(error);
      return;
    }
    const state = this.unsettled.get(file);
    if (this.closed || !state) return;
    if (stats.isDirectory() && !linked) {
      this.unsettled.delete(file);
      if (!isIgnoredLocalName(path.basename(file), 'directory')) await this.watchDirectory(file, true);
      return;
    }
    if (!stats.isFile() || isIgnoredLocalName(path.basename(file), 'file')) {
      this.unsettled.delete(file);
      return;
    }
    const now = Date.now();
    const { seen } = state;
    const unchanged =
      seen && seen.size === stats.size && seen.mtimeMs === stats.mtimeMs && seen.ino === stats.ino;
    const observation = unchanged
      ? seen
      : { size: stats.size, mtimeMs: stats.mtimeMs, ino: stats.ino, since: now };
    const quiet = quietForMs(observation, now);
    if (quiet >= this.options.stableMs) {
      this.unsettled.delete(file);
      this.options.onFile(file);
      return;
    }
    // Looked at again when it would be settled: a write meanwhile moves its mtime, and the wait with it.
    state.seen = observation;
    state.timer = setTimeout(() => void this.look(file), this.options.stableMs - quiet + 1);
  }
}
