import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { normalizePrefix } from './keys';
import { LocalFolderStore } from './local-folder-store';
import { type ObjectStore } from './object-store';
import { S3ObjectStore, s3ClientFromEnv } from './s3-object-store';

/** Where an inbox URL points. */
export type InboxLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'folder'; root: string };

/** Bucket names as S3 (and the S3-compatible stores) accept them, legacy upper case included. */
const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$/;

/**
 * Parses an inbox URL:
 * - `s3://bucket` or `s3://bucket/some/prefix` (→ prefix 'some/prefix/'; %-escapes are decoded)
 * - `file:///absolute/path`
 * - a plain folder path, relative to `cwd` (default process.cwd()) or absolute
 */
export function parseInboxUrl(inboxUrl: string, cwd: string = process.cwd()): InboxLocation {
  const text = inboxUrl.trim();
  if (text === '')
    throw new Error('The inbox URL is empty; use s3://bucket/prefix, file:///path or a folder path');
  if (/^s3:/i.test(text)) {
    const match = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(text);
    if (!match) {
      throw new Error(
        `Invalid inbox URL ${JSON.stringify(inboxUrl)}: expected s3://bucket or s3://bucket/prefix`,
      );
    }
    const bucket = match[1] ?? '';
    if (!BUCKET_NAME.test(bucket)) {
      throw new Error(
        `Invalid inbox URL ${JSON.stringify(inboxUrl)}: ${JSON.stringify(bucket)} is not a bucket name`,
      );
    }
    let prefix: string;
    try {
      prefix = decodeURIComponent(match[2] ?? '');
    } catch {
      throw new Error(`Invalid inbox URL ${JSON.stringify(inboxUrl)}: malformed %-escape in the prefix`);
    }
    return { kind: 's3', bucket, prefix: normalizePrefix(prefix) };
  }
  if (/^file:/i.test(text)) {
    try {
      return { kind: 'folder', root: path.resolve(fileURLToPath(text)) };
    } catch (error) {
      throw new Error(`Invalid inbox URL ${JSON.stringify(inboxUrl)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(text)) {
    throw new Error(
      `Unsupported inbox URL ${JSON.stringify(inboxUrl)}: use s3://bucket/prefix, file:///path or a folder path`,
    );
  }
  return { kind: 'folder', root: path.resolve(cwd, text) };
}

/**
 * The object store behind an inbox URL (see parseInboxUrl()). For s3:// URLs the client comes from
 * s3ClientFromEnv(env): S3_ENDPOINT, S3_REGION/AWS_REGION, S3_FORCE_PATH_STYLE and the AWS credentials.
 */
export function openObjectStore(
  inboxUrl: string,
  env: Record<string, string | undefined> = process.env,
): ObjectStore {
  const location = parseInboxUrl(inboxUrl);
  switch (location.kind) {
    case 's3':
      return new S3ObjectStore({
        client: s3ClientFromEnv(env),
        bucket: location.bucket,
        prefix: location.prefix,
      });
    case 'folder':
      return new LocalFolderStore(location.root);
  }
}
