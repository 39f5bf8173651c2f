/** One object (one version of it) in a bucket or an inbox folder. */
export interface ObjectInfo {
  /** The S3 bucket name, or 'local' for a folder. */
  bucket: string;
  /** The full key, including the store's prefix; '/'-separated relative path for a folder. */
  key: string;
  /** Version identity: S3 ETag without quotes; local: `${size}-${Math.trunc(mtimeMs)}`. */
  etag: string;
  sizeBytes: number;
  lastModified: Date;
}

/** What `read()` returns: a Node stream of the object's bytes, also usable with `for await`. */
export type ObjectStream = NodeJS.ReadableStream & AsyncIterable<Uint8Array>;

export interface ListOptions {
  /** Keys per ListObjectsV2 request (MaxKeys; S3 caps it at 1000). Ignored by folders. */
  pageSize?: number;
}

/** Where ingestion reads its objects from: an S3(-compatible) bucket with a prefix, or a local folder. */
export interface ObjectStore {
  /** S3 bucket name, or 'local' for a folder. */
  readonly bucket: string;
  /** '' or e.g. 'incoming/' (keys returned are full keys incl. prefix). */
  readonly prefix: string;
  /**
   * Every object under the prefix, paginated (ListObjectsV2 with ContinuationToken; MaxKeys option for
   * tests); skips the rejected area and, for folders, dot-files/dot-folders and *.tmp, *.part, *.partial,
   * *.crdownload (and *.download, *~).
   */
  list(options?: ListOptions): AsyncIterable<ObjectInfo>;
  /** The object's metadata, or null when there is no such object. */
  head(key: string): Promise<ObjectInfo | null>;
  /** The object's bytes as a stream. Rejects with ObjectNotFoundError when there is no such object. */
  read(key: string): Promise<ObjectStream>;
  /**
   * Keeps a rejected object aside with its reason and returns where (a key of this store): S3 → copies
   * to `<prefix>rejected/<key without prefix>` and writes `<that>.error.json` (the original stays —
   * processed objects are never deleted); folder → moves the file to `<root>/.rejected/<relative key>`
   * plus `<name>.error.json` (`name.1.ext`, `name.2.ext`… if taken). The error file holds `reason`'s
   * fields plus bucket, key, etag, sizeBytes, keptAt and rejectedAt unless `reason` sets them.
   */
  keepRejected(key: string, reason: object): Promise<string>;
}

/** There is no object with that key (read(), keepRejected()). */
export class ObjectNotFoundError extends Error {
  override readonly name = 'ObjectNotFoundError';
  readonly code = 'ENOENT';

  constructor(
    readonly bucket: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(
      `No object ${JSON.stringify(key)} in ${bucket === 'local' ? 'the inbox folder' : `bucket ${bucket}`}`,
      options,
    );
  }
}

/** A key this store refuses: empty, escaping the folder, outside the prefix, inside the rejected area… */
export class InvalidKeyError extends Error {
  override readonly name = 'InvalidKeyError';

  constructor(
    readonly key: string,
    why: string,
  ) {
    super(`Invalid object key ${JSON.stringify(key.length > 200 ? `${key.slice(0, 200)}…` : key)}: ${why}`);
  }
}
