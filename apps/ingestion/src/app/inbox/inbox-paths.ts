import path from 'node:path';

/** Where rejected files are kept, inside the inbox (a dot-folder, so the watcher ignores it). */
export const REJECTED_DIR = '.rejected';

/** Suffixes of files that are still being written by their producer. */
const PARTIAL_SUFFIXES = ['.tmp', '.part', '.partial', '.crdownload', '.download', '~'];

/**
 * Files the inbox never reads: dot-files and dot-folders (which include `.rejected/`), and files
 * that are still being written under a temporary name (renamed into place when complete).
 */
export function isIgnoredInboxPath(relativePath: string): boolean {
  if (relativePath === '' || relativePath === '.') return false;
  const segments = relativePath.split(/[\\/]/);
  if (segments.some((segment) => segment.startsWith('.'))) return true;
  const name = (segments.at(-1) ?? '').toLowerCase();
  return PARTIAL_SUFFIXES.some((suffix) => name.endsWith(suffix));
}

/** The object key of a file: its path relative to the inbox, with forward slashes. */
export function inboxKey(inboxDir: string, absolutePath: string): string {
  return path.relative(inboxDir, absolutePath).split(path.sep).join('/');
}
