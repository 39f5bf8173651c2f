import { type AnalysedText } from '../text/tokenize';
import { STOPWORDS } from '../text/stopwords';

/**
 * Extractive summary: the sentences whose content words are most frequent in the article (a centroid
 * score, normalised by length), with a bonus for coming early, as news puts the gist first. Two
 * sentences for short articles, three otherwise, in their original order.
 */
export function summarise(analysed: AnalysedText, maxSentences = 3): string {
  const { tokens, sentences, text } = analysed;
  if (sentences.length === 0) return '';
  const frequency = new Map<string, number>();
  const contentWords = (first: number, end: number): string[] => {
    const words: string[] = [];
    for (let i = first; i < end; i++) {
      const token = tokens[i];
      if (token && token.kind === 'word' && token.lower.length > 2 && !STOPWORDS.has(token.lower)) {
        words.push(token.lower);
      }
    }
    return words;
  };
  const perSentence = sentences.map((s) => contentWords(s.firstToken, s.endToken));
  for (const words of perSentence) for (const w of words) frequency.set(w, (frequency.get(w) ?? 0) + 1);
  const count = sentences.length <= 6 ? Math.min(2, maxSentences) : maxSentences;
  const scored = sentences.map((sentence, index) => {
    const words = perSentence[index] ?? [];
    const length = sentence.endToken - sentence.firstToken;
    let score = 0;
    for (const w of new Set(words)) score += (frequency.get(w) ?? 0) - 1;
    score /= Math.sqrt(words.length + 1);
    score *= 1 + 1 / (1 + index); // position bonus
    if (length < 6 || length > 60) score *= 0.5;
    return { index, score };
  });
  const chosen = scored
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, count)
    .sort((a, b) => a.index - b.index);
  return chosen
    .map(({ index }) => {
      const sentence = sentences[index];
      return sentence ? text.slice(sentence.start, sentence.end) : '';
    })
    .join(' ');
}
