import { type Amount } from '@newsflow/contracts';

import { STOPWORDS } from '../text/stopwords';

const CURRENCY_SYMBOLS: Readonly<Record<string, string>> = {
  $: 'USD',
  us$: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  c$: 'CAD',
  a$: 'AUD',
  '₽': 'RUB',
  '₴': 'UAH',
};
const CURRENCY_WORDS: Readonly<Record<string, string>> = {
  dollar: 'USD',
  dollars: 'USD',
  euro: 'EUR',
  euros: 'EUR',
  pound: 'GBP',
  pounds: 'GBP',
  yen: 'JPY',
  rouble: 'RUB',
  roubles: 'RUB',
  ruble: 'RUB',
  rubles: 'RUB',
  usd: 'USD',
  eur: 'EUR',
  gbp: 'GBP',
  jpy: 'JPY',
  rub: 'RUB',
  hryvnia: 'UAH',
  hryvnias: 'UAH',
  yuan: 'CNY',
  francs: 'CHF',
  franc: 'CHF',
};
const SCALES: Readonly<Record<string, number>> = {
  thousand: 1e3,
  k: 1e3,
  million: 1e6,
  mln: 1e6,
  m: 1e6,
  billion: 1e9,
  bln: 1e9,
  bn: 1e9,
  b: 1e9,
  trillion: 1e12,
  tn: 1e12,
};
/** Words after a number that are not what it counts. */
const NOT_OBJECTS = new Set([...STOPWORDS, 'am', 'pm', 'gmt', 'edt', 'est', 'bst', 'utc']);

const AMOUNT = new RegExp(
  String.raw`(?:(US\$|C\$|A\$|[$€£¥₽₴])\s?)?` + // currency symbol
    String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)` + // number
    String.raw`(?:\s?(thousand|million|billion|trillion|mln|bln|bn|tn|[kmb])\b)?` + // scale
    String.raw`(?:\s?(%|per\s?cent|percent|percentage points?)|\s([A-Za-z][\p{L}-]*))?`, // unit or counted thing
  'gu',
);

/**
 * Numbers with what they count or measure: "400 MPs" (object MPs), "$1.5 billion" (1.5e9 USD),
 * "12 percent" (12, unit percent). Money is normalised to units, percentages to the number of percent.
 * Bare years, times and numbers inside `exclude` ranges (dates) are skipped.
 */
export function extractAmounts(text: string, exclude: readonly (readonly [number, number])[] = []): Amount[] {
  const amounts: Amount[] = [];
  AMOUNT.lastIndex = 0;
  for (let match = AMOUNT.exec(text); match !== null; match = AMOUNT.exec(text)) {
    const [whole, symbol, digits = '', scaleWord, percent, word] = match;
    const start = match.index;
    const numberStart = start + whole.indexOf(digits);
    // Part of a longer token (a code, a date like 2022-02-22, a time like 10:30, a decimal continuing)?
    const before = text[symbol ? start - 1 : numberStart - 1];
    const after = text[match.index + whole.length];
    if (before !== undefined && /[\p{L}\d\-:/.]/u.test(before) && !symbol) continue;
    if (after !== undefined && /^[\d:/]/.test(after)) continue;
    if (exclude.some(([s, e]) => start < e && match.index + whole.length > s)) continue;
    let value = Number(digits.replace(/,/g, ''));
    if (!Number.isFinite(value)) continue;
    let end = match.index + whole.length;
    if (scaleWord) value *= SCALES[scaleWord.toLowerCase()] ?? 1;
    let unit = symbol ? CURRENCY_SYMBOLS[symbol.toLowerCase()] : undefined;
    let object: string | undefined;
    if (percent) unit = 'percent';
    else if (word) {
      const lower = word.toLowerCase();
      const currency = CURRENCY_WORDS[lower];
      if (currency && !unit) unit = currency;
      else if (!unit && !NOT_OBJECTS.has(lower) && !/^\d/.test(word) && word.length > 1) object = word;
      else end -= word.length + 1;
    }
    // A bare number: keep only if money, a percentage, scaled, or counting something; skip years.
    if (!unit && !object && !scaleWord) continue;
    if (!unit && !scaleWord && /^(1[89]|20)\d\d$/.test(digits)) continue;
    const phrase = text.slice(start, end);
    amounts.push({
      text: phrase,
      value,
      ...(unit === undefined ? {} : { unit }),
      ...(object === undefined ? {} : { object }),
      offsets: [start, end],
    });
  }
  return amounts;
}
