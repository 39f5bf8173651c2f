/**
 * People, places and organisations from compromise, as `TYPE\ttext` keys scored like eval:ner's. It
 * has no MISC type, so the comparison with ours is over the three types both have.
 */

import nlp from 'compromise';

import { type Counts, countDocument, detokenise, entityKey, type NerType, parseConll } from '../conll';

/** The types compromise and our recogniser both produce. */
export const SHARED_TYPES: readonly NerType[] = ['PERSON', 'ORGANIZATION', 'LOCATION'];

/**
 * compromise returns a match with the punctuation and possessive around it ("Putin,", "NATO's"); the
 * gold annotation has neither.
 */
export function cleanMention(text: string): string {
  return text
    .trim()
    .replace(/^[\s"'“‘([{]+/u, '')
    .replace(/[\s"'”’)\]},.;:!?]+$/u, '')
    .replace(/['’]s$/u, '')
    .trim();
}

function addMentions(keys: Set<string>, type: NerType, mentions: unknown): void {
  if (!Array.isArray(mentions)) return;
  for (const mention of mentions) {
    if (typeof mention !== 'string') continue;
    const text = cleanMention(mention);
    if (text) keys.add(entityKey(type, text));
  }
}

export function compromiseEntities(text: string): Set<string> {
  const doc = nlp(text);
  const keys = new Set<string>();
  addMentions(keys, 'PERSON', doc.people().out('array'));
  addMentions(keys, 'LOCATION', doc.places().out('array'));
  addMentions(keys, 'ORGANIZATION', doc.organizations().out('array'));
  return keys;
}

/** Keeps the keys of the given types. */
export function onlyTypes(keys: ReadonlySet<string>, types: readonly NerType[]): Set<string> {
  return new Set([...keys].filter((key) => types.includes(key.split('\t')[0] as NerType)));
}

/**
 * Per-type counts of a recogniser on a CoNLL text, document-level as in eval:ner, over `types` only
 * (entities of other types are left out of both the prediction and the gold set).
 */
export function evaluateRecogniser(
  content: string,
  recognise: (text: string) => Set<string>,
  types: readonly NerType[],
): Map<NerType, Counts> {
  const counts = new Map<NerType, Counts>();
  for (const document of parseConll(content)) {
    const predicted = onlyTypes(recognise(detokenise(document.sentences)), types);
    countDocument(predicted, onlyTypes(document.gold, types), counts);
  }
  return counts;
}

/** The counts of the given types added up. */
export function microCounts(counts: ReadonlyMap<NerType, Counts>, types: readonly NerType[]): Counts {
  const total: Counts = { tp: 0, fp: 0, fn: 0 };
  for (const type of types) {
    const c = counts.get(type);
    if (!c) continue;
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
  }
  return total;
}
