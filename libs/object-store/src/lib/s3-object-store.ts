import { Readable } from 'node:stream';

import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
  S3ServiceException,
} from '@aws-sdk/client-s3';

import { ERROR_FILE_SUFFIX, MAX_S3_KEY_BYTES, fitUtf8, normalizePrefix, rejectionRecordJson } from './keys';
import {
  InvalidKeyError,
  type ListOptions,
  type ObjectInfo,
  ObjectNotFoundError,
  type ObjectStore,
  type ObjectStream,
} from './object-store';

/** Where an S3 store keeps copies of rejected objects, below its prefix. */
export const S3_REJECTED_FOLDER = 'rejected/';

export interface S3ObjectStoreOptions {
  client: S3Client;
  bucket: string;
  /** '' (the whole bucket) or a key prefix such as 'incoming/' (a missing trailing '/' is added). */
  prefix?: string;
}

/** `"abc"` → `abc` (also W/"abc"). */
function unquoteEtag(etag: string | undefined): string {
  return (etag ?? '').replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
}

/** Whether an SDK error means "no such object" (404; HEAD responses have no body, hence no code). */
function isNoSuchKey(error: unknown, head: boolean): boolean {
  if (!(error instanceof S3ServiceException)) return false;
  if (error.name === 'NoSuchKey') return true;
  if (error.name === 'NoSuchBucket') return false;
  return head && (error.name === 'NotFound' || error.$metadata.httpStatusCode === 404);
}

/** A key for CopySource: URL-encoded, with '/' kept (the SDK sends it as given). */
function encodeCopySourceKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

/**
 * A bucket (or the part of it under a prefix) of Amazon S3 or an S3-compatible store (MinIO, Ceph,
 * S3Proxy…). Objects are never deleted or modified; keepRejected() writes copies under
 * `<prefix>rejected/`, which list() skips. Keys ending in '/' (folder placeholders) are not listed.
 */
export class S3ObjectStore implements ObjectStore {
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  private readonly rejectedPrefix: string;

  constructor(options: S3ObjectStoreOptions) {
    if (!options.bucket) throw new Error('S3ObjectStore needs a bucket name');
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = normalizePrefix(options.prefix);
    this.rejectedPrefix = `${this.prefix}${S3_REJECTED_FOLDER}`;
  }

  async *list(options?: ListOptions): AsyncIterable<ObjectInfo> {
    const pageSize = options?.pageSize;
    if (pageSize !== undefined && !(Number.isInteger(pageSize) && pageSize > 0)) {
      throw new RangeError(`pageSize must be a positive integer, got ${pageSize}`);
    }
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: this.prefix || undefined,
          ContinuationToken: continuationToken,
          MaxKeys: pageSize,
        }),
      );
      for (const object of page.Contents ?? []) {
        const key = object.Key;
        if (!key || key.endsWith('/') || key.startsWith(this.rejectedPrefix)) continue;
        yield {
          bucket: this.bucket,
          key,
          etag: unquoteEtag(object.ETag),
          sizeBytes: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      if (page.IsTruncated && !page.NextContinuationToken) {
        throw new Error(
          `ListObjectsV2 on bucket ${this.bucket} said "truncated" but sent no continuation token`,
        );
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  async head(key: string): Promise<ObjectInfo | null> {
    this.checkKey(key);
    try {
      const result = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        bucket: this.bucket,
        key,
        etag: unquoteEtag(result.ETag),
        sizeBytes: result.ContentLength ?? 0,
        lastModified: result.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (isNoSuchKey(error, true)) return null;
      throw error;
    }
  }

  async read(key: string): Promise<ObjectStream> {
    this.checkKey(key);
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // In Node.js the body is an http.IncomingMessage (a Readable) with the SDK's stream helpers mixed in.
      if (!(result.Body instanceof Readable)) {
        throw new Error(`GetObject ${this.bucket}/${key} returned no Node.js stream`);
      }
      return result.Body;
    } catch (error) {
      if (isNoSuchKey(error, false)) throw new ObjectNotFoundError(this.bucket, key, { cause: error });
      throw error;
    }
  }

  async keepRejected(key: string, reason: object): Promise<string> {
    this.checkKey(key);
    if (!key.startsWith(this.prefix)) {
      throw new InvalidKeyError(key, `it is not under this store's prefix ${JSON.stringify(this.prefix)}`);
    }
    if (key.startsWith(this.rejectedPrefix)) {
      throw new InvalidKeyError(key, `it is already in ${this.rejectedPrefix}`);
    }
    const info = await this.head(key);
    if (!info) throw new ObjectNotFoundError(this.bucket, key);
    // Same key again → same place (a retried rejection overwrites its own earlier copy). Keys that would
    // exceed S3's 1024 bytes with the suffix are shortened (the reason file records the original key).
    const keptAt = fitUtf8(
      `${this.rejectedPrefix}${key.slice(this.prefix.length)}`,
      MAX_S3_KEY_BYTES - ERROR_FILE_SUFFIX.length,
      true,
    );
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: keptAt,
        CopySource: `${this.bucket}/${encodeCopySourceKey(key)}`,
        // The version we looked at; a newer upload in between makes the copy fail (412) rather than
        // keeping a different object under this reason.
        CopySourceIfMatch: info.etag ? `"${info.etag}"` : undefined,
        MetadataDirective: 'COPY',
      }),
    );
    const defaults = {
      bucket: info.bucket,
      key: info.key,
      etag: info.etag,
      sizeBytes: info.sizeBytes,
      rejectedAt: new Date().toISOString(),
    };
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: `${keptAt}${ERROR_FILE_SUFFIX}`,
        Body: rejectionRecordJson(defaults, reason, keptAt),
        ContentType: 'application/json; charset=utf-8',
      }),
    );
    return keptAt;
  }

  private checkKey(key: string): void {
    if (typeof key !== 'string' || key === '') throw new InvalidKeyError(String(key), 'it is empty');
    if (Buffer.byteLength(key, 'utf8') > MAX_S3_KEY_BYTES) {
      throw new InvalidKeyError(key, `longer than ${MAX_S3_KEY_BYTES} bytes of UTF-8`);
    }
  }
}

/** 'true'/'1'/'yes'/'on' and 'false'/'0'/'no'/'off' (any case); undefined when unset or empty. */
function parseBoolean(name: string, value: string | undefined): boolean | undefined {
  const text = value?.trim().toLowerCase();
  if (!text) return undefined;
  if (['true', '1', 'yes', 'on'].includes(text)) return true;
  if (['false', '0', 'no', 'off'].includes(text)) return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * An S3Client configured from environment variables:
 * - S3_ENDPOINT: an S3-compatible endpoint such as http://127.0.0.1:9000 (unset: Amazon S3)
 * - S3_REGION, else AWS_REGION, else us-east-1
 * - S3_FORCE_PATH_STYLE: path-style URLs (http://host/bucket/key); default true when S3_ENDPOINT is set
 * - AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN) from `env` when both are set there,
 *   else the AWS SDK's default credential chain (environment, shared config files, SSO, instance roles…)
 */
export function s3ClientFromEnv(env: Record<string, string | undefined> = process.env): S3Client {
  const endpoint = env['S3_ENDPOINT']?.trim() || undefined;
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new Error(
        `S3_ENDPOINT must be a URL such as http://127.0.0.1:9000, got ${JSON.stringify(endpoint)}`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`S3_ENDPOINT must be an http:// or https:// URL, got ${JSON.stringify(endpoint)}`);
    }
  }
  const region = env['S3_REGION']?.trim() || env['AWS_REGION']?.trim() || 'us-east-1';
  const forcePathStyle =
    parseBoolean('S3_FORCE_PATH_STYLE', env['S3_FORCE_PATH_STYLE']) ?? endpoint !== undefined;
  const accessKeyId = env['AWS_ACCESS_KEY_ID']?.trim();
  const secretAccessKey = env['AWS_SECRET_ACCESS_KEY']?.trim();
  const sessionToken = env['AWS_SESSION_TOKEN']?.trim() || undefined;
  const config: S3ClientConfig = {
    region,
    endpoint,
    forcePathStyle,
    // Since @aws-sdk/client-s3 3.729 the SDK adds CRC32 checksums to every upload and validates them on
    // downloads by default ('WHEN_SUPPORTED'). S3-compatible stores that predate this (S3Proxy, older
    // MinIO, Ceph RGW) reject or mangle such requests (e.g. aws-chunked bodies with trailing checksums).
    // 'WHEN_REQUIRED' sends checksums only where an operation demands one, as before.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  if (accessKeyId && secretAccessKey) config.credentials = { accessKeyId, secretAccessKey, sessionToken };
  return new S3Client(config);
}
