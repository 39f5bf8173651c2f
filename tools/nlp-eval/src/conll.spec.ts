import {
  countDocument,
  type Counts,
  detokenise,
  entityKey,
  formatTable,
  type NerType,
  parseConll,
  scores,
} from './conll';

const SAMPLE = [
  '-DOCSTART- -X- -X- O',
  '',
  'EU NNP B-NP B-ORG',
  'rejects VBZ B-VP O',
  'German JJ B-NP B-MISC',
  'call NN I-NP O',
  '. . O O',
  '',
  'Peter NNP B-NP B-PER',
  'Blackburn NNP I-NP I-PER',
  'of IN O O',
  'Ukraine NNP B-NP B-LOC',
  "'s POS B-NP O",
  'capital NN O O',
  '',
  '-DOCSTART- -X- -X- O',
  '',
  'Kiev NNP B-NP B-LOC',
  '',
].join('\n');

describe('CoNLL', () => {
  it('parses documents with their gold entities', () => {
    const documents = parseConll(SAMPLE);
    expect(documents).toHaveLength(2);
    expect([...(documents[0]?.gold ?? [])].sort()).toEqual(
      [
        entityKey('LOCATION', 'Ukraine'),
        entityKey('MISC', 'German'),
        entityKey('ORGANIZATION', 'EU'),
        entityKey('PERSON', 'Peter Blackburn'),
      ].sort(),
    );
    expect(documents[1]?.sentences).toEqual([['Kiev']]);
  });

  it('joins tokens as written text, one sentence a paragraph', () => {
    expect(detokenise([['Ukraine', "'s", 'capital', ',', 'Kiev', '.'], ['Next']])).toBe(
      "Ukraine's capital, Kiev.\n\nNext",
    );
  });

  it('normalises entity text', () => {
    expect(entityKey('ORGANIZATION', "Ukraine 's  National Council")).toBe(
      entityKey('ORGANIZATION', 'ukraine’s National Council'),
    );
  });

  it('counts true and false positives per type and computes P/R/F1', () => {
    const counts = new Map<NerType, Counts>();
    countDocument(
      new Set([entityKey('PERSON', 'A B'), entityKey('LOCATION', 'X')]),
      new Set([entityKey('PERSON', 'A B'), entityKey('MISC', 'Y')]),
      counts,
    );
    expect(counts.get('PERSON')).toEqual({ tp: 1, fp: 0, fn: 0 });
    expect(counts.get('LOCATION')).toEqual({ tp: 0, fp: 1, fn: 0 });
    expect(counts.get('MISC')).toEqual({ tp: 0, fp: 0, fn: 1 });
    expect(scores({ tp: 1, fp: 1, fn: 1 })).toEqual({ precision: 0.5, recall: 0.5, f1: 0.5 });
    expect(formatTable(counts)).toMatch(/micro\s+0\.500\s+0\.500\s+0\.500/);
  });
});
