import * as chrono from 'chrono-node';

import { type DateMention } from '@newsflow/contracts';

/**
 * The casual English parser without the parsers of clock times and durations ("3pm", "within two
 * days"), which the enrichment does not report: a third faster.
 */
const UNWANTED_PARSERS =
  /^(?:ISOFormatParser|ENTimeExpressionParser|ENCasualTimeParser|ENTimeUnitWithinFormatParser)$/;
const parser = chrono.casual.clone();
parser.parsers = parser.parsers.filter((p) => !UNWANTED_PARSERS.test(p.constructor.name));

const LEADING = /^(?:on|in|at|by|since|from|until|of)\s+/i;
const TRAILING = /[\s,.;:]+$/;
/**
 * Words and number shapes without which chrono-node finds no date (a weekday, a month, "yesterday",
 * "ago", "last week", "the day before", 3/4): sentences without one are not parsed at all.
 */
const DATE_CUE =
  /\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|today|tonight|yesterday|tomorrow|ago|(?:last|next|this|past|coming|previous|following|same|that)\s+(?:day|week|month|year|weekend)|day\s+(?:before|after)|\d{1,2}[/.-]\d{1,2})\b/i;

/**
 * Dates mentioned in the text, resolved against the publication date (a `YYYY-MM-DD` calendar date):
 * "on Tuesday" in an article of Tuesday 2022-02-22 is 2022-02-22, "last week" is a week earlier.
 * Without a publication date, relative expressions resolve against `now`. Pass the sentences when
 * known: the parser then only reads those with a date-like word.
 */
export function extractDates(
  text: string,
  reference: Date,
  sentences: readonly { readonly start: number; readonly end: number }[] = [{ start: 0, end: text.length }],
): DateMention[] {
  // Noon UTC: a calendar date never shifts by a day whatever the machine's time zone.
  const instant = new Date(
    Date.UTC(reference.getUTCFullYear(), reference.getUTCMonth(), reference.getUTCDate(), 12),
  );
  const dates: DateMention[] = [];
  // The parser is slow on long texts; give it only the sentences that may hold a date.
  for (const { start, end } of sentences) {
    const sentence = text.slice(start, end);
    if (!DATE_CUE.test(sentence)) continue;
    for (const result of parser.parse(sentence, { instant, timezone: 0 })) collect(dates, result, start);
  }
  return dates;
}

function collect(dates: DateMention[], result: chrono.ParsedResult, base: number): void {
  let start = base + result.index;
  let phrase = result.text;
  const lead = LEADING.exec(phrase);
  if (lead) {
    start += lead[0].length;
    phrase = phrase.slice(lead[0].length);
  }
  phrase = phrase.replace(TRAILING, '');
  // Durations ("for several days") and bare numbers are no dates.
  if (phrase.length === 0 || /^\d{1,2}$/.test(phrase) || /^(?:for|within|during|over)\b/i.test(phrase))
    return;
  dates.push({
    text: phrase,
    date: result.start.date().toISOString().slice(0, 10),
    offsets: [start, start + phrase.length],
  });
}

/** A `YYYY-MM-DD` date as a Date at noon UTC; undefined when absent or malformed. */
export function parseCalendarDate(value: string | undefined): Date | undefined {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const date = new Date(`${value}T12:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
