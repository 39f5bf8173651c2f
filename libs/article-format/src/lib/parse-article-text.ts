import { assembleArticle } from './assemble-article';
import { isIsoDateFormat, isRealCalendarDate, latestAllowedDate, MIN_PUBLISHED_AT } from './calendar-date';
import { decodeUtf8 } from './decode';
import { normalizeLine, splitLines } from './normalize';
import { DEFAULT_MAX_BYTES, validByteLimit, validNow } from './options';
import { quote, rejection } from './rejection';
import type { ParseOptions, ParseResult, Rejection } from './types';
import { countWords } from './word-count';

/**
 * Stored with every parsed article. Bump the major version whenever normalization or the canonical form
 * changes, because then the same file yields a different id.
 */
export const PARSER_VERSION = 'text/1.0.0';

// Matches on the normalized line, where runs of whitespace are already a single space. The keyword is
// case-insensitive because "Date 2022-02-22 …" is a typo worth forgiving, not a different format.
const HEADER = /^date(?: (\S+))?(?: (.+))?$/i;

/** Parses a Newsflow article file. Never throws: every problem with the input is a `Rejection`. */
export function parseArticleText(content: Uint8Array, options: ParseOptions = {}): ParseResult {
  // Callers outside TypeScript's reach (JSON payloads, plain JS) may pass anything.
  if (!ArrayBuffer.isView(content)) {
    return rejected('NOT_TEXT', 'The content is not a byte array, so it cannot be read as text.');
  }
  const maxBytes = validByteLimit(options.maxBytes, DEFAULT_MAX_BYTES);
  if (content.byteLength > maxBytes) {
    return rejected(
      'TOO_LARGE',
      `The content is ${content.byteLength} bytes, more than the limit of ${maxBytes} bytes.`,
    );
  }
  if (content.byteLength === 0) return rejected('EMPTY', 'The content is empty (zero bytes).');

  const decoded = decodeUtf8(content);
  if (!decoded.ok) return { ok: false, rejection: decoded.rejection };

  const lines = splitLines(decoded.text).map(normalizeLine);
  const headerIndex = lines.findIndex((line) => line !== '');
  if (headerIndex === -1) {
    return rejected('EMPTY', 'The content contains only whitespace.');
  }

  const header = parseHeader(lines[headerIndex], headerIndex + 1, validNow(options.now));
  if (!header.ok) return header;

  const paragraphs = lines.slice(headerIndex + 1).filter((line) => line !== '');
  const text = paragraphs.join('\n\n');
  const textWords = countWords(text);
  if (textWords === 0) {
    const message =
      paragraphs.length === 0
        ? `The article has no body: nothing follows the header on line ${headerIndex + 1}.`
        : `The article body has no words, only ${quote(paragraphs.join(' '))}.`;
    return rejected('EMPTY_BODY', message);
  }

  return { ok: true, article: assembleArticle(header.publishedAt, header.lede, paragraphs, textWords) };
}

type HeaderResult = { ok: true; publishedAt: string; lede: string } | { ok: false; rejection: Rejection };

function parseHeader(line: string, lineNumber: number, now: Date): HeaderResult {
  const match = HEADER.exec(line);
  const dateToken = match?.[1];
  const lede = match?.[2];
  if (dateToken !== undefined && lede === undefined) {
    // The most common slip: the lede was put on its own line. Say so rather than repeat the syntax.
    return rejected(
      'BAD_HEADER',
      `Line ${lineNumber} has the date but no lede after it; the lede must follow on the same line, found ${quote(line)}.`,
    );
  }
  if (dateToken === undefined || lede === undefined) {
    return rejected(
      'BAD_HEADER',
      `Line ${lineNumber} must start with 'date YYYY-MM-DD' followed by the lede; found ${quote(line)}.`,
    );
  }
  if (!isIsoDateFormat(dateToken)) {
    return rejected(
      'BAD_DATE',
      `The date on line ${lineNumber} must be written as YYYY-MM-DD; found ${quote(dateToken)}.`,
    );
  }
  if (!isRealCalendarDate(dateToken)) {
    return rejected('BAD_DATE', `The date ${quote(dateToken)} on line ${lineNumber} does not exist.`);
  }
  // ISO dates with four-digit years order correctly as strings.
  if (dateToken < MIN_PUBLISHED_AT) {
    return rejected(
      'BAD_DATE',
      `The date ${quote(dateToken)} on line ${lineNumber} is before ${MIN_PUBLISHED_AT}, the earliest accepted date.`,
    );
  }
  const latest = latestAllowedDate(now);
  if (dateToken > latest) {
    return rejected(
      'BAD_DATE',
      `The date ${quote(dateToken)} on line ${lineNumber} is in the future; the latest accepted date is ${latest}.`,
    );
  }
  return { ok: true, publishedAt: dateToken, lede };
}

function rejected(code: Rejection['code'], message: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: rejection(code, message) };
}
