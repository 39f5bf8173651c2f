import { createHash } from 'node:crypto';

import { InvalidKeyError } from './object-store';

/** S3 limits a key to 1024 bytes of UTF-8. */
export const MAX_S3_KEY_BYTES = 1024;
/** Most file systems limit one name (one path segment) to 255 bytes. */
export const MAX_FILE_NAME_BYTES = 255;
/** Appended to a kept rejected object's key/name for the file holding the reason. */
export const ERROR_FILE_SUFFIX = '.error.json';

/**
 * Decodes an object key as it arrives in S3 event notifications (`Records[].s3.object.key`): URL-encoded
 * like a form value, so `+` is a space and `%2B` a plus sign. Throws InvalidKeyError on malformed escapes.
 */
export function decodeS3EventKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new InvalidKeyError(raw, 'not a URL-encoded S3 event key (malformed %-escape)');
  }
}

/** '' stays ''; 'incoming' and '/incoming' become 'incoming/'. */
export function normalizePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '');
  return trimmed === '' || trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

/** Suffixes of files that are still being written by their producer (renamed into place when done). */
const PARTIAL_SUFFIXES = ['.tmp', '.part', '.partial', '.crdownload', '.download', '~'];

/**
 * Whether a folder store skips this file or folder name: dot-files and dot-folders (which include
 * `.rejected/`) and files still being written under a temporary name.
 */
export function isIgnoredLocalName(name: string, kind: 'file' | 'directory'): boolean {
  if (name.startsWith('.')) return true;
  if (kind === 'directory') return false;
  const lower = name.toLowerCase();
  return PARTIAL_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/**
 * `text` when it fits into `maxBytes` of UTF-8; otherwise it is cut (at a character boundary) and ends in
 * `~<8 hex digits of its SHA-256>` so that different long names stay different. An extension of up to
 * 16 bytes is kept when `keepExtension` is set.
 */
export function fitUtf8(text: string, maxBytes: number, keepExtension = false): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const hash = `~${createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8)}`;
  const dot = text.lastIndexOf('.');
  const ext =
    keepExtension && dot > 0 && !text.slice(dot).includes('/') && Buffer.byteLength(text.slice(dot)) <= 16
      ? text.slice(dot)
      : '';
  const budget = maxBytes - Buffer.byteLength(hash + ext, 'utf8');
  if (budget < 1) throw new Error(`fitUtf8: ${maxBytes} bytes is too short for a shortened name`);
  let stem = '';
  let used = 0;
  for (const char of text.slice(0, text.length - ext.length)) {
    const size = Buffer.byteLength(char, 'utf8');
    if (used + size > budget) break;
    stem += char;
    used += size;
  }
  return `${stem}${hash}${ext}`;
}

/** JSON.stringify replacer: Errors as { name, message, code }, bigints as strings. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as Error & { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }) };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * The text of a `.error.json` file: the defaults (bucket, key, etag…) overridden by the caller's `reason`
 * fields, then `keptAt`. A reason that cannot be serialized (a cycle) is kept as its string form.
 */
export function rejectionRecordJson(
  defaults: Record<string, unknown>,
  reason: object,
  keptAt: string,
): string {
  let record: Record<string, unknown>;
  try {
    const reasonFields =
      reason instanceof Error
        ? (jsonReplacer('', reason) as Record<string, unknown>)
        : (JSON.parse(JSON.stringify(reason, jsonReplacer) ?? '{}') as Record<string, unknown>);
    record = { ...defaults, ...reasonFields, keptAt };
  } catch {
    record = { ...defaults, reason: String(reason), keptAt };
  }
  return `${JSON.stringify(record, jsonReplacer, 2)}\n`;
}
