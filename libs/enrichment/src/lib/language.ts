// The default model: more accurate than `tinyld/heavy` on every set measured, at a third of its memory
// (docs/adr/0002-enrichment-libraries-by-measurement.md; `npm run eval:lang`).
import { detectAll } from 'tinyld';

import { type LanguageGuess } from '@newsflow/contracts';

/** Below this many letters a language guess is noise; say "undetermined" instead. */
const MIN_LETTERS = 20;

/**
 * Words frequent in English and rare in other languages' running text. In English news 10-25% of the
 * words are among them, in German or French text hardly any; the model is then skipped, as it costs far more than the rest of the
 * enrichment together.
 */
const ENGLISH_MARKERS = new Set(
  'the of and that was with for have has said were which from this would by are its been'.split(' '),
);
/** Long texts: a modest share of marker words is already conclusive. */
const FAST_PATH_MIN_WORDS = 40;
const FAST_PATH_MIN_SHARE = 0.12;
/**
 * Short texts (a lede, a one-sentence article): n-gram models are weakest there (tinyld took a plain
 * English sentence for Tagalog), so a higher share of marker words decides instead.
 */
const SHORT_PATH_MIN_WORDS = 12;
const SHORT_PATH_MIN_SHARE = 0.2;

function englishShare(text: string): { words: number; share: number } {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  let markers = 0;
  for (const word of words) if (ENGLISH_MARKERS.has(word)) markers++;
  return { words: words.length, share: words.length === 0 ? 0 : markers / words.length };
}

export function detectLanguage(text: string): LanguageGuess {
  const letters = text.replace(/[^\p{L}]/gu, '').length;
  if (letters < MIN_LETTERS) return { code: 'und', confidence: 0 };
  const english = englishShare(text);
  const conclusive =
    (english.words >= FAST_PATH_MIN_WORDS && english.share >= FAST_PATH_MIN_SHARE) ||
    (english.words >= SHORT_PATH_MIN_WORDS && english.share >= SHORT_PATH_MIN_SHARE);
  if (conclusive) {
    // Confidence grows with the share of marker words: 0.92 at the threshold, 0.99 from 0.19 up.
    return { code: 'en', confidence: Math.round(Math.min(0.99, 0.8 + english.share) * 1000) / 1000 };
  }
  const [best] = detectAll(text);
  if (!best) return { code: 'und', confidence: 0 };
  return { code: best.lang, confidence: Math.round(Math.min(1, Math.max(0, best.accuracy)) * 1000) / 1000 };
}
