import { type Sentiment } from '@newsflow/contracts';
// AFINN-165 word valences (-5..5) and negators as shipped by the `sentiment` package.
import afinn from 'sentiment/languages/en/labels.json';
import negators from 'sentiment/languages/en/negators.json';

import { type Token } from '../text/tokenize';

const VALENCE: ReadonlyMap<string, number> = new Map(Object.entries(afinn as Record<string, number>));
const NEGATORS: ReadonlySet<string> = new Set(Object.keys(negators as Record<string, number>));

/** Normalisation constant of VADER's compound score: the sum of valences is squashed into [-1, 1]. */
const ALPHA = 15;

const round = (value: number): number => Math.round(value * 1000) / 1000;

/**
 * Lexicon-based tone: AFINN-165 valences, flipped after a negator ("not good"), summed and squashed
 * into [-1, 1] like VADER's compound score; `positive` and `negative` are the shares of the valence
 * mass among the words (neutral words count 1 each, as VADER's proportions do).
 */
export function scoreSentiment(tokens: readonly Token[]): Sentiment {
  let positive = 0;
  let negative = 0;
  let neutral = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token || token.kind !== 'word') continue;
    let valence = VALENCE.get(token.lower) ?? 0;
    if (valence === 0) {
      neutral++;
      continue;
    }
    const previous = tokens[i - 1]?.lower;
    if (previous !== undefined && NEGATORS.has(previous)) valence = -valence;
    if (valence > 0) positive += valence;
    else negative -= valence;
  }
  const sum = positive - negative;
  const total = positive + negative + neutral;
  return {
    score: round(sum / Math.sqrt(sum * sum + ALPHA)),
    positive: total === 0 ? 0 : round(positive / total),
    negative: total === 0 ? 0 : round(negative / total),
  };
}
