import { extractEntities } from '../entities/entities';
import { analyseText } from '../text/tokenize';
import { extractQuotes } from './quotes';

const quotes = (text: string) => {
  const analysed = analyseText(text);
  const { entities, mentions } = extractEntities(analysed);
  return extractQuotes(analysed, entities, mentions);
};

describe('extractQuotes', () => {
  it('attributes a quote to the person in its sentence', () => {
    expect(quotes('Finance Minister Maria Lopez said "we will cut taxes next year" on Monday.')).toEqual([
      expect.objectContaining({ text: 'we will cut taxes next year', speaker: 'Maria Lopez' }),
    ]);
  });

  it('follows "he said" back to the last person named', () => {
    const text = 'John Carter arrived late. Later he said "the roads were closed all morning" to reporters.';
    expect(quotes(text)[0]?.speaker).toBe('John Carter');
  });

  it('skips scare quotes of a word or two', () => {
    expect(quotes('He called it a "special operation".')).toEqual([]);
  });
});
