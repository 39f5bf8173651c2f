/**
 * Tokenisers with sentence splitting compared by `npm run eval:candidates`: ours (analyseText) and
 * wink-nlp with its English model, in three pipelines: tokens and sentences only (what analyseText
 * does), plus part-of-speech tags, and wink's default pipeline (adds negation, sentiment, its own
 * entities of dates, numbers, money... but not people, organisations or places).
 */

import { analyseText } from '@newsflow/enrichment';
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

export interface Tokenizer {
  readonly name: string;
  /** Tokens and sentences of a text; the counts make sure the work is done, and can be compared. */
  readonly analyse: (text: string) => { readonly tokens: number; readonly sentences: number };
  readonly splitSentences: (text: string) => string[];
}

export const ourTokenizer: Tokenizer = {
  name: 'ours: analyseText',
  analyse: (text) => {
    const { tokens, sentences } = analyseText(text);
    return { tokens: tokens.length, sentences: sentences.length };
  },
  splitSentences: (text) => analyseText(text).sentences.map(({ start, end }) => text.slice(start, end)),
};

/** wink-nlp with the given pipeline (undefined: its default, every step). */
export function winkTokenizer(name: string, pipe?: string[]): Tokenizer {
  const nlp = winkNLP(model, pipe);
  return {
    name,
    analyse: (text) => {
      const doc = nlp.readDoc(text);
      return { tokens: doc.tokens().length(), sentences: doc.sentences().length() };
    },
    splitSentences: (text) => nlp.readDoc(text).sentences().out(),
  };
}

export function tokenizers(): Tokenizer[] {
  return [
    ourTokenizer,
    winkTokenizer('wink-nlp: tokens + sentences', ['sbd']),
    winkTokenizer('wink-nlp: + POS', ['sbd', 'pos']),
    winkTokenizer('wink-nlp: default pipe'),
  ];
}
