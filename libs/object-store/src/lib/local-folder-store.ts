import { randomBytes } from 'node:crypto';
import { type Dirent, type Stats } from 'node:fs';
import {
  link,
  lstat,
  mkdir,
  open,
  readdir,
  realpath,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import path from 'node:path';

import {
  ERROR_FILE_SUFFIX,
  MAX_FILE_NAME_BYTES,
  fitUtf8,
  isIgnoredLocalName,
  rejectionRecordJson,
} from './keys';
import {
  InvalidKeyError,
  type ListOptions,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  type ObjectStream,
} from './object-store';

/** Where a folder store keeps rejected files: a dot-folder inside the root, so list() skips it. */
export const LOCAL_REJECTED_DIR = '.rejected';

const LOCAL_BUCKET = 'local';

function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** ENOENT and friends: the path (or a parent of it) is not there (any more). */
function isMissing(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** What `operation` resolves with, or null when the path (or a parent of it) is not there (any more). */
async function unlessMissing<T>(operation: Promise<T>): Promise<T | null> {
  try {
    return await operation;
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  return (await unlessMissing(lstat(file))) !== null;
}

/** Node's default for file streams: what large files are read in. */
const MAX_READ_CHUNK_BYTES = 64 * 1024;

/**
 * Chunks as large as the file (plus the byte that finds its end), up to MAX_READ_CHUNK_BYTES. Every
 * chunk of a file stream is a fresh buffer of this size: with the 64 KiB default, each 2 KB article
 * file cost two 64 KiB buffers, and at 100 files/s that external memory set off a major garbage
 * collection every other second in ingestion.
 */
export function readChunkBytes(sizeBytes: number): number {
  return Math.min(MAX_READ_CHUNK_BYTES, Math.max(1, sizeBytes + 1));
}

/**
 * An inbox folder as an object store. Keys are paths relative to the root with '/' separators; bucket is
 * 'local', prefix ''. Only regular files count (symbolic links are not followed by list(), and head/read
 * refuse paths that resolve outside the root). A key with `..`, `.` or empty segments, or an absolute
 * path, is refused with InvalidKeyError.
 */
export class LocalFolderStore implements ObjectStore {
  readonly bucket = LOCAL_BUCKET;
  readonly prefix = '';
  /** The absolute root folder. */
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  /** Files in the folder tree (sorted by name per folder); `pageSize` does not apply. */
  async *list(_options?: ListOptions): AsyncIterable<ObjectInfo> {
    try {
      const rootStats = await stat(this.root);
      if (!rootStats.isDirectory()) throw new Error(`The inbox ${this.root} is not a folder`);
    } catch (error) {
      if (isMissing(error)) throw new Error(`The inbox folder ${this.root} does not exist`, { cause: error });
      throw error;
    }
    yield* this.walk(this.root, []);
  }

  private async *walk(dir: string, segments: string[]): AsyncGenerator<ObjectInfo> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error) && segments.length > 0) return; // removed while we were listing
      throw error;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!isIgnoredLocalName(entry.name, 'directory')) yield* this.walk(full, [...segments, entry.name]);
      } else if (entry.isFile() && !isIgnoredLocalName(entry.name, 'file')) {
        const stats = await unlessMissing(lstat(full)); // null: moved away meanwhile
        if (stats?.isFile()) yield this.info([...segments, entry.name].join('/'), stats);
      }
    }
  }

  async head(key: string): Promise<ObjectInfo | null> {
    const file = await this.existingFile(key);
    if (!file) return null;
    return this.info(key, file.stats);
  }

  async read(key: string): Promise<ObjectStream> {
    const file = await this.existingFile(key);
    if (!file) throw new ObjectNotFoundError(this.bucket, key);
    let handle;
    try {
      handle = await open(file.path, 'r');
    } catch (error) {
      if (isMissing(error)) throw new ObjectNotFoundError(this.bucket, key, { cause: error });
      throw error;
    }
    return handle.createReadStream({ autoClose: true, highWaterMark: readChunkBytes(file.stats.size) });
  }

  async keepRejected(key: string, reason: object): Promise<string> {
    const segments = this.keySegments(key);
    if (segments[0] === LOCAL_REJECTED_DIR)
      throw new InvalidKeyError(key, `it is already in ${LOCAL_REJECTED_DIR}/`);
    const file = await this.existingFile(key);
    if (!file) throw new ObjectNotFoundError(this.bucket, key);
    const info = this.info(key, file.stats);

    const dirSegments = [LOCAL_REJECTED_DIR, ...segments.slice(0, -1)];
    const targetDir = path.join(this.root, ...dirSegments);
    await mkdir(targetDir, { recursive: true });
    const { name: stem, ext } = path.parse(segments[segments.length - 1] ?? '');
    const maxName = MAX_FILE_NAME_BYTES - ERROR_FILE_SUFFIX.length;

    for (let n = 0; ; n++) {
      const name = fitUtf8(n === 0 ? `${stem}${ext}` : `${stem}.${n}${ext}`, maxName, true);
      const target = path.join(targetDir, name);
      if ((await exists(target)) || (await exists(`${target}${ERROR_FILE_SUFFIX}`))) continue;
      if (!(await this.moveExclusive(key, file.path, target))) continue; // taken meanwhile: next suffix
      const keptAt = [...dirSegments, name].join('/');
      const defaults = {
        bucket: info.bucket,
        key: info.key,
        etag: info.etag,
        sizeBytes: info.sizeBytes,
        rejectedAt: new Date().toISOString(),
      };
      // Written under a temporary dot-name and renamed: readers never see a half-written file.
      const temp = path.join(targetDir, `.error-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
      try {
        await writeFile(temp, rejectionRecordJson(defaults, reason, keptAt), {
          encoding: 'utf8',
          flag: 'wx',
        });
        await rename(temp, `${target}${ERROR_FILE_SUFFIX}`);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      return keptAt;
    }
  }

  /**
   * Moves `from` to `to` unless `to` exists (atomically: a hard link fails when the name is taken), and
   * resolves false when it does. Falls back to rename() where hard links are not supported.
   */
  private async moveExclusive(key: string, from: string, to: string): Promise<boolean> {
    try {
      await link(from, to);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'EEXIST') return false;
      if (isMissing(error) && !(await exists(from)))
        throw new ObjectNotFoundError(this.bucket, key, { cause: error });
      if (
        code !== 'EPERM' &&
        code !== 'ENOTSUP' &&
        code !== 'EOPNOTSUPP' &&
        code !== 'EXDEV' &&
        code !== 'EMLINK'
      ) {
        throw error;
      }
      if (await exists(to)) return false;
      await rename(from, to);
      return true;
    }
    await unlink(from);
    return true;
  }

  /** The segments of a valid key; throws InvalidKeyError for keys that could leave the root. */
  private keySegments(key: string): string[] {
    if (typeof key !== 'string' || key === '') throw new InvalidKeyError(String(key), 'it is empty');
    if (key.includes('\0')) throw new InvalidKeyError(key, 'it contains a NUL character');
    if (key.startsWith('/') || key.startsWith('\\') || path.isAbsolute(key) || /^[A-Za-z]:/.test(key)) {
      throw new InvalidKeyError(key, 'absolute paths are not keys; keys are relative to the inbox folder');
    }
    // '/' separates segments everywhere; a backslash does too on Windows, and a `..` between backslashes
    // is refused on every platform (the key may travel to one).
    const segments = key.split(path.sep === '\\' ? /[\\/]/ : '/');
    if (key.split(/[\\/]/).some((segment) => segment === '..')) {
      throw new InvalidKeyError(key, "'..' segments would leave the inbox folder");
    }
    if (segments.some((segment) => segment === '' || segment === '.')) {
      throw new InvalidKeyError(key, "empty or '.' path segments");
    }
    const resolved = path.resolve(this.root, ...segments);
    const relative = path.relative(this.root, resolved);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new InvalidKeyError(key, 'it resolves outside the inbox folder');
    }
    return segments;
  }

  /**
   * The file of a key when it exists and is a regular file, following symbolic links only as long as
   * they stay inside the root; null when there is no such file.
   */
  private async existingFile(key: string): Promise<{ path: string; stats: Stats } | null> {
    const segments = this.keySegments(key);
    const file = path.join(this.root, ...segments);
    if (segments.length === 1) {
      // A regular file right in the root cannot lead out of it: one lstat instead of resolving the path
      // (and the root) through every symbolic link, which was a good part of ingesting a small file.
      const stats = await unlessMissing(lstat(file));
      if (stats === null) return null;
      if (!stats.isSymbolicLink()) return stats.isFile() ? { path: file, stats } : null;
    }
    const real = await unlessMissing(realpath(file));
    if (real === null) return null;
    const realRoot = await realpath(this.root);
    const relative = path.relative(realRoot, real);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new InvalidKeyError(key, 'it resolves (through a symbolic link) outside the inbox folder');
    }
    const stats = await unlessMissing(stat(real));
    return stats?.isFile() ? { path: real, stats } : null;
  }

  private info(key: string, stats: Stats): ObjectInfo {
    return {
      bucket: this.bucket,
      key,
      etag: `${stats.size}-${Math.trunc(stats.mtimeMs)}`,
      sizeBytes: stats.size,
      lastModified: stats.mtime,
    };
  }
}
