import { latestAllowedDate } from './calendar-date';
import { decodeUtf8 } from './decode';
import { errorMessage } from './error-message';
import { GzipError, gunzip } from './gunzip';
import { articleFromJson, describeJsonType, isJsonObject, type JsonArticleResult } from './json-article';
import { type ByteLine, LineSplitter } from './line-splitter';
import { DEFAULT_MAX_BYTES, DEFAULT_MAX_RECORD_BYTES, validByteLimit, validNow } from './options';
import { parseArticleText } from './parse-article-text';
import { quote, rejection } from './rejection';
import type {
  ArticleFields,
  ArticleRecord,
  ParsedArticle,
  ReadArticlesOptions,
  RecordLocation,
  Rejection,
} from './types';

// `fatal`: a line with invalid UTF-8 is rejected rather than read with U+FFFD in it. The default
// `ignoreBOM: false` drops a BOM at the start of a line, which concatenated exports leave behind.
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Parser messages quote the input; this keeps a rejection message readable. */
const MAX_PARSER_MESSAGE_CHARS = 160;

/**
 * Reads articles from a byte stream (a file, an S3 body, a request). Never throws for bad content:
 * every problem becomes a rejected record. Errors of the input stream itself propagate.
 *
 * NDJSON is read line by line with backpressure (the next chunk is pulled only after the records of the
 * current one were consumed), so memory is bounded by `maxRecordBytes` whatever the size of the input.
 * The text and json formats hold one article, so they are read whole, up to `maxBytes`.
 */
export async function* readArticles(
  input: AsyncIterable<Uint8Array>,
  options: ReadArticlesOptions,
): AsyncGenerator<ArticleRecord, void, undefined> {
  const now = validNow(options.now);
  const gzip = options.gzip === true;
  const source = gzip ? gunzip(input) : input;
  const format = options.format;
  switch (format) {
    case 'text':
    case 'json': {
      const maxBytes = validByteLimit(options.maxBytes, DEFAULT_MAX_BYTES);
      yield await readWhole(source, format, { now, maxBytes, gzip });
      return;
    }
    case 'ndjson':
      yield* readNdjson(source, now, validByteLimit(options.maxRecordBytes, DEFAULT_MAX_RECORD_BYTES));
      return;
    default: {
      // Only reachable from plain JavaScript; TypeScript callers cannot pass another format.
      const message = `The input format ${quote(String(format))} is unknown; use 'text', 'json' or 'ndjson'.`;
      yield { ok: false, rejection: rejection('UNKNOWN_FORMAT', message), location: {} };
    }
  }
}

interface WholeOptions {
  now: Date;
  maxBytes: number;
  gzip: boolean;
}

async function readWhole(
  source: AsyncIterable<Uint8Array>,
  format: 'text' | 'json',
  { now, maxBytes, gzip }: WholeOptions,
): Promise<ArticleRecord> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        // Stop reading: leaving the loop destroys the source, so a huge (or zip-bomb) input is not
        // read to its end just to say how large it is.
        const after = gzip ? ' after decompression' : '';
        const message = `The content is more than the limit of ${maxBytes} bytes${after}.`;
        return { ok: false, rejection: rejection('TOO_LARGE', message), location: { byteStart: 0 } };
      }
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof GzipError) return badGzip(error);
    throw error;
  }
  const content = Buffer.concat(chunks, size);
  const location = { byteStart: 0, byteEnd: size };
  const result =
    format === 'text' ? parseArticleText(content, { now, maxBytes }) : parseJsonDocument(content, now);
  return withLocation(result, location);
}

function parseJsonDocument(content: Uint8Array, now: Date): JsonArticleResult {
  if (content.byteLength === 0) return fail('EMPTY', 'The content is empty (zero bytes).');
  // The same strict decoding as the text format: UTF-8 only, binary data is NOT_TEXT.
  const decoded = decodeUtf8(content);
  if (!decoded.ok) return decoded;
  if (decoded.text.trim() === '') return fail('EMPTY', 'The content contains only whitespace.');
  const parsed = parseJson(decoded.text);
  if (!parsed.ok) return fail('BAD_JSON', `The content is not valid JSON (${parsed.message}).`);
  if (Array.isArray(parsed.value)) {
    return fail(
      'BAD_JSON',
      'The content is a JSON array; a .json file holds one article object, many articles go in an NDJSON file (.ndjson or .jsonl) with one object per line.',
    );
  }
  if (!isJsonObject(parsed.value)) {
    return fail('BAD_JSON', `The content is ${describeJsonType(parsed.value)}, not a JSON object.`);
  }
  return articleFromJson(parsed.value, latestAllowedDate(now), 'The record');
}

async function* readNdjson(
  source: AsyncIterable<Uint8Array>,
  now: Date,
  maxRecordBytes: number,
): AsyncGenerator<ArticleRecord, void, undefined> {
  const splitter = new LineSplitter(maxRecordBytes);
  const latest = latestAllowedDate(now);
  let records = 0;
  try {
    for await (const chunk of source) {
      for (const line of splitter.push(chunk)) {
        const record = ndjsonRecord(line, latest, maxRecordBytes);
        if (record === undefined) continue;
        records++;
        yield record;
      }
    }
  } catch (error) {
    // The lines completed before the corruption were already yielded; a partial line is not.
    if (error instanceof GzipError) {
      yield badGzip(error);
      return;
    }
    throw error;
  }
  for (const line of splitter.end()) {
    const record = ndjsonRecord(line, latest, maxRecordBytes);
    if (record === undefined) continue;
    records++;
    yield record;
  }
  // An input without a single record would otherwise vanish without a trace.
  if (records === 0) {
    const message =
      splitter.bytesSeen === 0
        ? 'The content is empty (zero bytes).'
        : 'The content contains only blank lines.';
    yield {
      ok: false,
      rejection: rejection('EMPTY', message),
      location: { byteStart: 0, byteEnd: splitter.bytesSeen },
    };
  }
}

/** One record for a line, or undefined for a blank line. */
function ndjsonRecord(line: ByteLine, latest: string, maxRecordBytes: number): ArticleRecord | undefined {
  const location: RecordLocation = { line: line.line, byteStart: line.byteStart, byteEnd: line.byteEnd };
  if (line.kind === 'oversize') {
    const message = `Line ${line.line} is ${line.byteEnd - line.byteStart} bytes, more than the limit of ${maxRecordBytes} bytes for one record.`;
    return { ok: false, rejection: rejection('TOO_LARGE', message), location };
  }
  let text: string;
  try {
    text = utf8.decode(line.bytes);
  } catch {
    return withLocation(fail('NOT_TEXT', `Line ${line.line} is not valid UTF-8 text.`), location);
  }
  if (text.trim() === '') return undefined;
  const parsed = parseJson(text);
  if (!parsed.ok) {
    return withLocation(
      fail('BAD_JSON', `Line ${line.line} is not valid JSON (${parsed.message}).`),
      location,
    );
  }
  if (!isJsonObject(parsed.value)) {
    const message = `Line ${line.line} holds ${describeJsonType(parsed.value)}, not a JSON object; each line must be one article object.`;
    return withLocation(fail('BAD_JSON', message), location);
  }
  return withLocation(articleFromJson(parsed.value, latest, `The record on line ${line.line}`), location);
}

type JsonParse = { ok: true; value: unknown } | { ok: false; message: string };

function parseJson(text: string): JsonParse {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    const raw = errorMessage(error);
    // Single line, bounded, and without a final period of its own: it is embedded in a sentence.
    const oneLine = raw.replace(/\s+/g, ' ').trim().replace(/\.$/, '');
    const message =
      oneLine.length > MAX_PARSER_MESSAGE_CHARS ? `${oneLine.slice(0, MAX_PARSER_MESSAGE_CHARS)}…` : oneLine;
    return { ok: false, message };
  }
}

/** A parser's answer: `ParseResult` (no fields) or `JsonArticleResult`. */
type Outcome =
  { ok: true; article: ParsedArticle; fields?: ArticleFields } | { ok: false; rejection: Rejection };

function withLocation(result: Outcome, location: RecordLocation): ArticleRecord {
  return result.ok
    ? { ok: true, article: result.article, fields: result.fields ?? {}, location }
    : { ok: false, rejection: result.rejection, location };
}

/**
 * The whole input is rejected, hence `byteStart: 0`. How far decompression got is not reported: zlib
 * drops the output of the write that failed, so that number (like the count of NDJSON records yielded
 * before) depends on how the input happened to be chunked.
 */
function badGzip(error: GzipError): ArticleRecord {
  const message = `The content cannot be decompressed: the gzip data is corrupt or truncated (${error.message}).`;
  return { ok: false, rejection: rejection('BAD_GZIP', message), location: { byteStart: 0 } };
}

function fail(code: Rejection['code'], message: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: rejection(code, message) };
}
