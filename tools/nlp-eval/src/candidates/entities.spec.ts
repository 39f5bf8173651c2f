import { entityKey } from '../conll';
import {
  cleanMention,
  compromiseEntities,
  evaluateRecogniser,
  microCounts,
  onlyTypes,
  SHARED_TYPES,
} from './entities';

const CONLL = [
  '-DOCSTART- -X- -X- O',
  '',
  'Putin NNP B-NP B-PER',
  'met IN O O',
  'NATO NNP B-NP B-ORG',
  'in IN O O',
  'Brussels NNP B-NP B-LOC',
  'on IN O O',
  'Euro NNP B-NP B-MISC',
  'day NN O O',
  '. . O O',
  '',
].join('\n');

describe('compromise entities', () => {
  it('strips punctuation and possessives around a mention', () => {
    expect(cleanMention('"Putin,')).toBe('Putin');
    expect(cleanMention("NATO's")).toBe('NATO');
    expect(cleanMention('(New York.)')).toBe('New York');
    expect(cleanMention('Brussels, Belgium,')).toBe('Brussels, Belgium');
  });

  it('finds people, places and organisations as typed keys', () => {
    const keys = compromiseEntities('Angela Merkel met Emmanuel Macron in Paris.');
    expect(keys).toEqual(expect.objectContaining({ size: expect.any(Number) as number }));
    expect([...keys]).toEqual(
      expect.arrayContaining([entityKey('PERSON', 'Angela Merkel'), entityKey('LOCATION', 'Paris')]),
    );
  });

  it('scores a recogniser on the shared types only', () => {
    const recognise = (): Set<string> =>
      new Set([entityKey('PERSON', 'Putin'), entityKey('LOCATION', 'NATO'), entityKey('MISC', 'Euro')]);
    const counts = evaluateRecogniser(CONLL, recognise, SHARED_TYPES);
    expect(counts.get('PERSON')).toEqual({ tp: 1, fp: 0, fn: 0 });
    expect(counts.get('LOCATION')).toEqual({ tp: 0, fp: 1, fn: 1 });
    expect(counts.get('ORGANIZATION')).toEqual({ tp: 0, fp: 0, fn: 1 });
    expect(counts.has('MISC')).toBe(false);
    expect(microCounts(counts, SHARED_TYPES)).toEqual({ tp: 1, fp: 1, fn: 2 });
  });

  it('keeps keys of the given types', () => {
    const keys = new Set([entityKey('PERSON', 'A'), entityKey('MISC', 'B')]);
    expect([...onlyTypes(keys, ['PERSON'])]).toEqual([entityKey('PERSON', 'A')]);
  });
});
