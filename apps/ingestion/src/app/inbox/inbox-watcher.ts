import { readdir } from 'node:fs/promises';
import path from 'node:path';

import { type FSWatcher, watch } from 'chokidar';

import { inboxKey, isIgnoredInboxPath } from './inbox-paths';

export interface InboxWatcherOptions {
  inboxDir: string;
  stableMs: number;
  onFile: (absolutePath: string) => void;
  onError: (error: unknown) => void;
}

/**
 * Reports each complete file in the inbox, recursively: files present at start-up first, then new or
 * changed ones once their size has been stable for `stableMs` (a writer may still be appending).
 */
export class InboxWatcher {
  private watcher: FSWatcher | undefined;

  constructor(private readonly options: InboxWatcherOptions) {}

  async start(): Promise<void> {
    const { inboxDir } = this.options;
    this.watcher = watch(inboxDir, {
      ignored: (file) => isIgnoredInboxPath(inboxKey(inboxDir, file)),
      ignoreInitial: false,
      awaitWriteFinish: {
        stabilityThreshold: this.options.stableMs,
        pollInterval: Math.min(100, this.options.stableMs),
      },
      alwaysStat: false,
    });
    this.watcher.on('add', this.options.onFile);
    this.watcher.on('change', this.options.onFile);
    this.watcher.on('error', this.options.onError);
    await new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }

  /** Every readable file in the inbox, for the periodic rescan. */
  async listFiles(): Promise<string[]> {
    const { inboxDir } = this.options;
    const entries = await readdir(inboxDir, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name))
      .filter((file) => !isIgnoredInboxPath(inboxKey(inboxDir, file)));
  }
}
