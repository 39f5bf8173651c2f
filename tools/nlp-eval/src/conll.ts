/**
 * CoNLL-2003 format (token POS chunk NER-tag, IOB2 tags; `-DOCSTART-` between documents, a blank line
 * between sentences) and document-level scoring of typed entities.
 */
export type NerType = 'PERSON' | 'ORGANIZATION' | 'LOCATION' | 'MISC';
export const NER_TYPES: readonly NerType[] = ['PERSON', 'ORGANIZATION', 'LOCATION', 'MISC'];

const CONLL_TYPES: Readonly<Record<string, NerType>> = {
  PER: 'PERSON',
  ORG: 'ORGANIZATION',
  LOC: 'LOCATION',
  MISC: 'MISC',
};

export interface ConllDocument {
  /** Sentences of tokens. */
  readonly sentences: string[][];
  /** Gold entities as `TYPE\tnormalised text`. */
  readonly gold: Set<string>;
}

/** Lower case, straight apostrophes, no space before `'s` or punctuation, single spaces. */
export function normaliseEntityText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[’‘]/g, "'")
    .replace(/\s+(?=['.,)])/g, '')
    .replace(/\(\s+/g, '(')
    .replace(/\s+/g, ' ')
    .trim();
}

export const entityKey = (type: NerType, text: string): string => `${type}\t${normaliseEntityText(text)}`;

export function parseConll(content: string): ConllDocument[] {
  const documents: ConllDocument[] = [];
  let sentences: string[][] = [];
  let sentence: string[] = [];
  let gold = new Set<string>();
  let entity: { type: NerType; tokens: string[] } | undefined;
  const closeEntity = (): void => {
    if (entity) gold.add(entityKey(entity.type, entity.tokens.join(' ')));
    entity = undefined;
  };
  const closeSentence = (): void => {
    closeEntity();
    if (sentence.length > 0) sentences.push(sentence);
    sentence = [];
  };
  const closeDocument = (): void => {
    closeSentence();
    if (sentences.length > 0) documents.push({ sentences, gold });
    sentences = [];
    gold = new Set();
  };
  for (const line of content.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed.length === 0) {
      closeSentence();
      continue;
    }
    const columns = trimmed.split(/\s+/);
    const token = columns[0] ?? '';
    const tag = columns[columns.length - 1] ?? 'O';
    if (token === '-DOCSTART-') {
      closeDocument();
      continue;
    }
    sentence.push(token);
    const [prefix, conllType] = tag.split('-');
    const type = conllType === undefined ? undefined : CONLL_TYPES[conllType];
    if (!type || tag === 'O') {
      closeEntity();
    } else if (prefix === 'B' || !entity || entity.type !== type) {
      closeEntity();
      entity = { type, tokens: [token] };
    } else entity.tokens.push(token);
  }
  closeDocument();
  return documents;
}

const NO_SPACE_BEFORE = /^(?:[.,;:!?%)\]}]|'s|'|n't|'re|'ve|'ll|'d|'m)$/i;
const NO_SPACE_AFTER = /^[([{$]$/;

/** Joins tokens the way text is written ("Ukraine 's" becomes "Ukraine's"); sentences become paragraphs. */
export function detokenise(sentences: readonly (readonly string[])[]): string {
  return sentences
    .map((tokens) => {
      let out = '';
      tokens.forEach((token, i) => {
        const previous = tokens[i - 1];
        if (
          i > 0 &&
          !NO_SPACE_BEFORE.test(token) &&
          !(previous !== undefined && NO_SPACE_AFTER.test(previous))
        ) {
          out += ' ';
        }
        out += token;
      });
      return out;
    })
    .join('\n\n');
}

export interface Counts {
  tp: number;
  fp: number;
  fn: number;
}

export interface Scores {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

export function scores({ tp, fp, fn }: Counts): Scores {
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

/** Adds one document's predicted and gold sets (`TYPE\ttext` keys) to the per-type counts. */
export function countDocument(
  predicted: ReadonlySet<string>,
  gold: ReadonlySet<string>,
  counts: Map<NerType, Counts>,
): void {
  const get = (key: string): Counts | undefined => {
    const type = key.split('\t')[0] as NerType;
    let entry = counts.get(type);
    if (!entry) {
      entry = { tp: 0, fp: 0, fn: 0 };
      counts.set(type, entry);
    }
    return entry;
  };
  for (const key of predicted) {
    const entry = get(key);
    if (entry) {
      if (gold.has(key)) entry.tp++;
      else entry.fp++;
    }
  }
  for (const key of gold) {
    const entry = get(key);
    if (entry && !predicted.has(key)) entry.fn++;
  }
}

export function formatTable(counts: ReadonlyMap<NerType, Counts>): string {
  const rows: string[] = ['type           P       R       F1      TP     FP     FN'];
  const total: Counts = { tp: 0, fp: 0, fn: 0 };
  const row = (label: string, c: Counts): string => {
    const s = scores(c);
    const pct = (x: number): string => x.toFixed(3).padEnd(8);
    return `${label.padEnd(15)}${pct(s.precision)}${pct(s.recall)}${pct(s.f1)}${String(c.tp).padEnd(7)}${String(c.fp).padEnd(7)}${c.fn}`;
  };
  for (const type of NER_TYPES) {
    const c = counts.get(type) ?? { tp: 0, fp: 0, fn: 0 };
    total.tp += c.tp;
    total.fp += c.fp;
    total.fn += c.fn;
    rows.push(row(type, c));
  }
  rows.push(row('micro', total));
  return rows.join('\n');
}
