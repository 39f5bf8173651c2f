import { quote, rejection } from './rejection';
import type { FormatDetection, InputFormat } from './types';

const FORMAT_BY_EXTENSION: ReadonlyMap<string, InputFormat> = new Map([
  ['txt', 'text'],
  ['text', 'text'],
  ['article', 'text'],
  ['json', 'json'],
  ['ndjson', 'ndjson'],
  ['jsonl', 'ndjson'],
]);

const ACCEPTED = `${[...FORMAT_BY_EXTENSION.keys()].map((ext) => `.${ext}`).join(', ')}, each optionally followed by .gz`;

const GZIP_SUFFIX = '.gz';

/**
 * Picks the format from a file name or object key (the directory part is ignored), case-insensitively,
 * so that `Feed.NDJSON.GZ` and `feed.ndjson.gz` are read the same way.
 */
export function detectFormat(key: string): FormatDetection {
  const name = baseName(String(key));
  const lower = name.toLowerCase();
  const gzip = lower.endsWith(GZIP_SUFFIX);
  const stem = gzip ? lower.slice(0, -GZIP_SUFFIX.length) : lower;
  // A dot at position 0 starts a dot file (`.json`), which has no extension, as with path.extname.
  const dot = stem.lastIndexOf('.');
  const format = dot > 0 ? FORMAT_BY_EXTENSION.get(stem.slice(dot + 1)) : undefined;
  if (format === undefined) {
    const what = name === '' ? 'An empty file name' : `The file name ${quote(name)}`;
    return {
      ok: false,
      rejection: rejection('UNKNOWN_FORMAT', `${what} has no accepted extension; use ${ACCEPTED}.`),
    };
  }
  return { ok: true, format, gzip };
}

function baseName(key: string): string {
  // Object keys use '/', Windows paths from an upload tool may use '\'.
  const slash = Math.max(key.lastIndexOf('/'), key.lastIndexOf('\\'));
  return key.slice(slash + 1);
}
