import { type Entity, type Quote } from '@newsflow/contracts';

import { type EntityMention } from '../entities/entities';
import { type AnalysedText } from '../text/tokenize';

const QUOTE = /“([^”]{2,}?)”|"([^"\n]{2,}?)"/g;
/** Shorter quotes are mostly scare quotes around a word or two. */
const MIN_WORDS = 3;
const PRONOUN = /\b(?:he|she)\s+(?:said|says|added|told|stated|declared|claimed|warned|insisted)\b/i;

/**
 * Direct quotes (in double quotes, curly or straight, of three words or more), each with its speaker:
 * the person mentioned last before the quote in its sentence, else the first one after it in the
 * sentence, else (after "he said") the person mentioned last before.
 */
export function extractQuotes(
  analysed: AnalysedText,
  entities: readonly Entity[],
  mentions: readonly EntityMention[],
): Quote[] {
  const { text, sentences } = analysed;
  const persons = mentions.filter((m) => entities[m.entity]?.type === 'PERSON');
  const quotes: Quote[] = [];
  QUOTE.lastIndex = 0;
  for (let match = QUOTE.exec(text); match !== null; match = QUOTE.exec(text)) {
    const inner = (match[1] ?? match[2] ?? '').replace(/[\s,;:]+$/, '');
    if (inner.trim().split(/\s+/).length < MIN_WORDS) continue;
    const start = match.index + 1;
    const end = start + inner.length;
    const sentence = sentences.find((s) => s.start <= match.index && match.index < s.end);
    let speaker: EntityMention | undefined;
    if (sentence) {
      const inSentence = persons.filter(
        (m) => m.start >= sentence.start && m.end <= sentence.end && (m.end <= match.index || m.start >= end),
      );
      speaker =
        inSentence.filter((m) => m.end <= match.index).pop() ?? inSentence.find((m) => m.start >= end);
      if (!speaker && PRONOUN.test(text.slice(sentence.start, sentence.end))) {
        speaker = persons.filter((m) => m.end <= match.index).pop();
      }
    }
    const name = speaker ? entities[speaker.entity]?.name : undefined;
    quotes.push({ text: inner, ...(name ? { speaker: name } : {}), offsets: [start, end] });
  }
  return quotes;
}
