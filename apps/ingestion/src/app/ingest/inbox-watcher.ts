import path from 'node:path';

import { type FSWatcher, watch } from 'chokidar';

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

/**
 * Reports new or changed files in a local inbox, recursively, once their size has been stable for
 * `stableMs` (a writer may still be appending). Files present at start-up are found by reconciliation.
 */
export class InboxWatcher {
  private watcher: FSWatcher | undefined;

  constructor(private readonly options: InboxWatcherOptions) {}

  async start(): Promise<void> {
    const { inboxDir } = this.options;
    this.watcher = watch(inboxDir, {
      ignored: (file) => isIgnoredInboxPath(inboxDir, file),
      ignoreInitial: true,
      awaitWriteFinish: {
        stabilityThreshold: this.options.stableMs,
        pollInterval: Math.min(100, this.options.stableMs),
      },
    });
    this.watcher.on('add', this.options.onFile);
    this.watcher.on('change', this.options.onFile);
    this.watcher.on('error', this.options.onError);
    await new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }
}
