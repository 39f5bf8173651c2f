// The heavy model: the default one takes plain English news for Tagalog (measured on short ledes).
import { detectAll } from 'tinyld/heavy';

import { type LanguageGuess } from '@newsflow/contracts';

/** Below this many letters a language guess is noise; say "undetermined" instead. */
const MIN_LETTERS = 20;

export function detectLanguage(text: string): LanguageGuess {
  const letters = text.replace(/[^\p{L}]/gu, '').length;
  if (letters < MIN_LETTERS) return { code: 'und', confidence: 0 };
  const [best] = detectAll(text);
  if (!best) return { code: 'und', confidence: 0 };
  return { code: best.lang, confidence: Math.round(Math.min(1, Math.max(0, best.accuracy)) * 1000) / 1000 };
}
