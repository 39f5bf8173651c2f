export type TokenKind = 'word' | 'number' | 'other';

const LETTER = /^\p{L}/u;

function kindOf(text: string): TokenKind {
  const code = text.charCodeAt(0);
  if (code >= 48 && code <= 57) return 'number';
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return 'word';
  if (code < 128) return 'other';
  return LETTER.test(text) ? 'word' : 'other';
}

/** A word, number or punctuation mark with its character offsets [start, end) in the text. */
export interface Token {
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The text in lower case. */
  readonly lower: string;
  /** Starts with a letter (a word), a digit (a number), or neither (punctuation, symbols). */
  readonly kind: TokenKind;
  /** Position of the token in the text's token list. */
  readonly index: number;
  /** Index of the sentence the token belongs to. */
  readonly sentence: number;
}

export interface Sentence {
  readonly start: number;
  readonly end: number;
  /** Index of its first token and one past its last one. */
  readonly firstToken: number;
  readonly endToken: number;
}

export interface AnalysedText {
  readonly text: string;
  readonly tokens: readonly Token[];
  readonly sentences: readonly Sentence[];
}

// Words (with inner apostrophes, hyphens and dots of abbreviations), numbers (with separators), or one
// other non-space character.
const TOKEN =
  /(?:[A-Z]\.){2,}|[A-Z]\.(?=\s+\p{Lu}\p{Ll})|\p{L}[\p{L}\p{M}]*(?:[-'’.][\p{L}\p{M}]+)*|\d+(?:[.,:/]\d+)*(?:st|nd|rd|th)?|[^\s]/gu;

/** Abbreviations after which a full stop does not end a sentence. */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'gen',
  'col',
  'lt',
  'sgt',
  'capt',
  'gov',
  'sen',
  'rep',
  'st',
  'jr',
  'sr',
  'inc',
  'corp',
  'co',
  'ltd',
  'vs',
  'no',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'u.s',
  'u.k',
  'e.g',
  'i.e',
  'etc',
  'mt',
  'ft',
  'approx',
]);

const CLOSERS = new Set(['"', '”', '’', "'", ')', ']']);

/** Splits text into tokens and sentences (paragraph breaks always end a sentence). */
export function analyseText(text: string): AnalysedText {
  const tokens: Token[] = [];
  const sentences: Sentence[] = [];
  let sentenceStart = 0;
  let firstToken = 0;
  const close = (endToken: number): void => {
    if (endToken <= firstToken) return;
    const last = tokens[endToken - 1];
    const first = tokens[firstToken];
    if (!last || !first) return;
    sentences.push({ start: first.start, end: last.end, firstToken, endToken });
    firstToken = endToken;
    sentenceStart = sentences.length;
  };
  let previousEnd = 0;
  TOKEN.lastIndex = 0;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    const start = match.index;
    if (tokens.length > firstToken && /\n\s*\n/.test(text.slice(previousEnd, start))) close(tokens.length);
    const value = match[0];
    tokens.push({
      text: value,
      lower: value.toLowerCase(),
      kind: kindOf(value),
      start,
      end: start + value.length,
      index: tokens.length,
      sentence: sentenceStart,
    });
    previousEnd = start + value.length;
    if (value === '.' || value === '!' || value === '?') {
      const before = tokens[tokens.length - 2];
      if (value === '.' && before && isAbbreviation(before.text)) continue;
      // Keep closing quotes and brackets with the sentence they close.
      let end = tokens.length;
      TOKEN.lastIndex = previousEnd;
      for (;;) {
        const next = TOKEN.exec(text);
        if (next === null || !CLOSERS.has(next[0]) || /\s/.test(text.slice(previousEnd, next.index))) {
          TOKEN.lastIndex = previousEnd;
          break;
        }
        tokens.push({
          text: next[0],
          lower: next[0],
          kind: 'other',
          start: next.index,
          end: next.index + 1,
          index: tokens.length,
          sentence: sentenceStart,
        });
        previousEnd = next.index + 1;
        end = tokens.length;
      }
      close(end);
    }
  }
  close(tokens.length);
  return { text, tokens, sentences };
}

function isAbbreviation(word: string): boolean {
  return ABBREVIATIONS.has(word.toLowerCase()) || /^[A-Z]$/.test(word);
}

export function isWord(token: string): boolean {
  return /^\p{L}/u.test(token);
}

export function isCapitalised(token: string): boolean {
  return /^\p{Lu}/u.test(token);
}
