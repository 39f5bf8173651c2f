import { assembleArticle } from './assemble-article';
import { MIN_PUBLISHED_AT } from './calendar-date';
import { normalizeLine, splitLines } from './normalize';
import { utcCalendarDate } from './publication-date';
import { quote, rejection } from './rejection';
import type { ArticleFields, ParsedArticle, Rejection } from './types';
import { countWords } from './word-count';

export type JsonArticleResult =
  { ok: true; article: ParsedArticle; fields: ArticleFields } | { ok: false; rejection: Rejection };

// Aliases in order of preference; the first one present (not null) is used and the others are ignored,
// so a record never silently mixes two sources. `lede` comes before `title` because a record carrying
// both keeps its title in `fields.title` and the lede is the more specific of the two.
const DATE_FIELDS = ['date', 'published_at', 'publishedAt'] as const;
const LEDE_FIELDS = ['lede', 'title'] as const;
const BODY_FIELDS = ['body', 'text', 'paragraphs'] as const;

/** JSON field → `ArticleFields` key. `source` is renamed: in Newsflow "source" means the input object. */
const PASS_THROUGH: ReadonlyArray<readonly [string, keyof ArticleFields]> = [
  ['title', 'title'],
  ['url', 'url'],
  ['source', 'publisher'],
  ['author', 'author'],
  ['language', 'language'],
];

type JsonObject = Record<string, unknown>;
type Found = { name: string; value: unknown };
type Step<T> = { ok: true; value: T } | { ok: false; rejection: Rejection };

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "an array", "a number", "null": for messages about a value of the wrong type. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Turns one parsed JSON object into an article with exactly the rules of the text format: same date
 * rules, same line normalization, same canonical form and therefore the same id. `latest` is
 * `latestAllowedDate(now)`, computed once per input rather than once per record. `subject` names the
 * record in messages ("The record", "The record on line 12").
 */
export function articleFromJson(record: JsonObject, latest: string, subject: string): JsonArticleResult {
  const date = pick(record, DATE_FIELDS);
  const lede = pick(record, LEDE_FIELDS);
  const body = pick(record, BODY_FIELDS);
  // Name every missing field at once, so an editor fixes an export in one round trip.
  const missing = [
    date === undefined ? aliasList(DATE_FIELDS) : undefined,
    lede === undefined ? aliasList(LEDE_FIELDS) : undefined,
    body === undefined ? aliasList(BODY_FIELDS, ' (an array of strings)') : undefined,
  ].filter((entry): entry is string => entry !== undefined);
  if (date === undefined || lede === undefined || body === undefined) {
    return fail('MISSING_FIELD', `${subject} needs ${joinAll(missing)}.`);
  }

  const publishedAt = publicationDate(date, latest, subject);
  if (!publishedAt.ok) return publishedAt;
  const ledeText = ledeOf(lede, subject);
  if (!ledeText.ok) return ledeText;
  const paragraphs = paragraphsOf(body, subject);
  if (!paragraphs.ok) return paragraphs;

  const textWords = countWords(paragraphs.value.join('\n\n'));
  if (textWords === 0) {
    const message =
      paragraphs.value.length === 0
        ? `${subject} has an empty \`${body.name}\`.`
        : `${subject} has a \`${body.name}\` without words, only ${quote(paragraphs.value.join(' '))}.`;
    return fail('EMPTY_BODY', message);
  }
  return {
    ok: true,
    article: assembleArticle(publishedAt.value, ledeText.value, paragraphs.value, textWords),
    fields: passThroughFields(record),
  };
}

function publicationDate({ name, value }: Found, latest: string, subject: string): Step<string> {
  if (typeof value !== 'string') {
    return fail(
      'BAD_DATE',
      `${subject} has ${describeJsonType(value)} in \`${name}\`; it must be a string 'YYYY-MM-DD' or an ISO 8601 date-time.`,
    );
  }
  const raw = value.trim();
  const parsed = utcCalendarDate(raw);
  if (!parsed.ok) {
    switch (parsed.problem) {
      case 'format':
        return fail(
          'BAD_DATE',
          `${subject} has \`${name}\` ${quote(raw)}; it must be written as YYYY-MM-DD or as an ISO 8601 date-time.`,
        );
      case 'nonexistent':
        return fail('BAD_DATE', `${subject} has \`${name}\` ${quote(raw)}, which does not exist.`);
      case 'beyond-9999':
        return fail('BAD_DATE', `${subject} has \`${name}\` ${quote(raw)}, which is in the future.`);
    }
  }
  const { date } = parsed;
  // Only a date-time has a UTC date worth mentioning: it may differ from the date written in it.
  const utc = date === raw ? '' : ` (UTC date ${date})`;
  // ISO dates with four-digit years order correctly as strings.
  if (date < MIN_PUBLISHED_AT) {
    return fail(
      'BAD_DATE',
      `${subject} has \`${name}\` ${quote(raw)}${utc}, before ${MIN_PUBLISHED_AT}, the earliest accepted date.`,
    );
  }
  if (date > latest) {
    return fail(
      'BAD_DATE',
      `${subject} has \`${name}\` ${quote(raw)}${utc}, which is in the future; the latest accepted date is ${latest}.`,
    );
  }
  return { ok: true, value: date };
}

function ledeOf({ name, value }: Found, subject: string): Step<string> {
  if (typeof value !== 'string') {
    return fail(
      'MISSING_FIELD',
      `${subject} has ${describeJsonType(value)} in \`${name}\`; it needs a string.`,
    );
  }
  // The text format's lede is one line; a line break inside a JSON title becomes a space, as any other
  // whitespace does, so the id matches the article printed as text.
  const lede = normalizeLine(value);
  if (lede === '') return fail('MISSING_FIELD', `${subject} has an empty \`${name}\`; it needs a lede.`);
  return { ok: true, value: lede };
}

function paragraphsOf({ name, value }: Found, subject: string): Step<string[]> {
  if (name === 'paragraphs') {
    if (!Array.isArray(value)) {
      return fail(
        'MISSING_FIELD',
        `${subject} has ${describeJsonType(value)} in \`paragraphs\`; it needs an array of strings.`,
      );
    }
    const paragraphs: string[] = [];
    for (const [index, item] of value.entries()) {
      if (typeof item !== 'string') {
        return fail(
          'MISSING_FIELD',
          `${subject} has ${describeJsonType(item)} as item ${index + 1} of \`paragraphs\`; every item must be a string.`,
        );
      }
      // Each item is split as well: a text file cannot hold a line break inside a paragraph, and the
      // JSON form must give the same paragraphs (and id) as the text form. A loop, not push(...spread),
      // which overflows the stack on an item with hundreds of thousands of lines.
      for (const paragraph of paragraphsOfText(item)) paragraphs.push(paragraph);
    }
    return { ok: true, value: paragraphs };
  }
  if (typeof value !== 'string') {
    return fail(
      'MISSING_FIELD',
      `${subject} has ${describeJsonType(value)} in \`${name}\`; it needs a string.`,
    );
  }
  return { ok: true, value: paragraphsOfText(value) };
}

/** Exactly the text format's body rule: every non-blank line is a paragraph. */
function paragraphsOfText(text: string): string[] {
  return splitLines(text)
    .map(normalizeLine)
    .filter((line) => line !== '');
}

function passThroughFields(record: JsonObject): ArticleFields {
  const fields: ArticleFields = {};
  for (const [jsonName, key] of PASS_THROUGH) {
    const value = ownValue(record, jsonName);
    // Optional metadata never rejects an article: a non-string or blank value is simply left out.
    if (typeof value === 'string' && value.trim() !== '') fields[key] = value.trim();
  }
  return fields;
}

function pick(record: JsonObject, names: readonly string[]): Found | undefined {
  for (const name of names) {
    const value = ownValue(record, name);
    if (value !== undefined && value !== null) return { name, value };
  }
  return undefined;
}

/** Own properties only: a record must not pick up `constructor` or anything else from the prototype. */
function ownValue(record: JsonObject, name: string): unknown {
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function aliasList(names: readonly string[], suffix = ''): string {
  const quoted = names.map((name) => `\`${name}\``);
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}${suffix}`;
}

function joinAll(parts: string[]): string {
  return parts.length <= 1
    ? parts.join('')
    : `${parts.slice(0, -1).join('; ')}; and ${parts[parts.length - 1]}`;
}

function fail(code: Rejection['code'], message: string): { ok: false; rejection: Rejection } {
  return { ok: false, rejection: rejection(code, message) };
}
