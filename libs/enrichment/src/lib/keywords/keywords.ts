import { type Keyword } from '@newsflow/contracts';

import { STOPWORDS } from '../text/stopwords';
import { type AnalysedText, type Token } from '../text/tokenize';

/**
 * Document frequencies of keyphrases over the stream seen so far: how many documents contained each
 * phrase. Keep one per process (or persist it) and `observeDocument` each enriched article.
 */
export interface DocumentFrequencies {
  documents: number;
  readonly counts: Map<string, number>;
}

export function createDocumentFrequencies(): DocumentFrequencies {
  return { documents: 0, counts: new Map() };
}

/** Counts one document's distinct phrases (for example its `keywordCandidates`). */
export function observeDocument(frequencies: DocumentFrequencies, phrases: Iterable<string>): void {
  frequencies.documents++;
  for (const phrase of new Set(phrases)) {
    frequencies.counts.set(phrase, (frequencies.counts.get(phrase) ?? 0) + 1);
  }
}

/** Verbs and other words that rarely head a keyphrase, besides the stopwords. */
const WEAK = new Set(
  `have has had make made said says say told tell added add took take came come went go going get got
gave give seen see saw new year years day days week weeks month months time times people percent
way part lot number thing things could would should may might must mr mrs ms monday tuesday wednesday
thursday friday saturday sunday today yesterday tomorrow favor favour`.split(/\s+/),
);

const MAX_WORDS = 3;

function candidateWord(token: Token): boolean {
  return (
    token.kind === 'word' &&
    token.lower.length > 1 &&
    !STOPWORDS.has(token.lower) &&
    !WEAK.has(token.lower) &&
    /^[\p{L}'’.-]*$/u.test(token.lower)
  );
}

/** A keyphrase candidate of one document: how often it occurs and where it first does. */
export interface KeyphraseCandidate {
  readonly phrase: string;
  readonly count: number;
  /** Character offset of the first mention. */
  readonly first: number;
}

/** Noun-phrase-like candidates: runs of up to three content words between stopwords and punctuation. */
export function keywordCandidates(analysed: AnalysedText): KeyphraseCandidate[] {
  const { tokens } = analysed;
  const candidates = new Map<string, { count: number; first: number }>();
  let run: string[] = [];
  const flush = (position: number): void => {
    // Verb-like last words (-ed, -ing) rarely end a noun phrase: trim them.
    while (run.length > 0 && /(?:ed|ing|ly)$/i.test(run[run.length - 1] ?? '')) run.pop();
    while (run.length > 0 && /(?:ly)$/i.test(run[0] ?? '')) run.shift();
    if (run.length > 0 && run.length <= MAX_WORDS) {
      const phrase = run
        .join(' ')
        .toLowerCase()
        .replace(/[’']s$/, '');
      const entry = candidates.get(phrase);
      if (entry) entry.count++;
      else candidates.set(phrase, { count: 1, first: position });
    }
    run = [];
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token) continue;
    if (candidateWord(token)) {
      run.push(token.text.replace(/[’']s$/, ''));
      if (/[’']s$/.test(token.text)) flush(token.start);
    } else flush(token.start);
  }
  flush(analysed.text.length);
  return Array.from(candidates, ([phrase, { count, first }]) => ({ phrase, count, first }));
}

/**
 * Keyphrases scored by TF-IDF: term frequency times log inverse document frequency from the stream's
 * `frequencies` (unseen phrases count as rare), with a small bonus for longer phrases and early first
 * mentions. The top `limit`, best first. Separate from candidate extraction so the scoring can run where
 * the stream's frequencies live (the service) while the text analysis runs elsewhere (a worker).
 */
export function rankKeywords(
  candidates: readonly KeyphraseCandidate[],
  textLength: number,
  frequencies?: DocumentFrequencies,
  limit = 10,
): Keyword[] {
  const length = Math.max(1, textLength);
  const documents = frequencies?.documents ?? 0;
  const scored: Keyword[] = [];
  for (const { phrase, count, first } of candidates) {
    const df = frequencies?.counts.get(phrase) ?? 0;
    const idf = Math.log((documents + 1) / (df + 1)) + 1;
    const words = phrase.split(' ').length;
    const score = count * idf * (1 + 0.5 * (words - 1)) * (1 + 0.5 * (1 - first / length));
    scored.push({ text: phrase, score: Math.round(score * 1000) / 1000 });
  }
  return scored.sort((a, b) => b.score - a.score || a.text.localeCompare(b.text)).slice(0, limit);
}

/** `rankKeywords` over the candidates of one analysed text. */
export function extractKeywords(
  analysed: AnalysedText,
  frequencies?: DocumentFrequencies,
  limit = 10,
): Keyword[] {
  return rankKeywords(keywordCandidates(analysed), analysed.text.length, frequencies, limit);
}
