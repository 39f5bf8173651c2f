import { countWords } from './word-count';

describe('countWords', () => {
  it.each([
    ['', 0],
    ['   \n\n  ', 0],
    ['— … “ ” ‘ ’ - , .', 0],
    ['Putin signed a proclamation', 4],
    ['Russia’s war-torn east', 3],
    ["Russia's parliament", 2],
    ['the ‘Treaty of Friendship’', 4],
    ['with 400 MPs voting', 4],
    ['3,000 people and 1.5 million', 5],
    ['the end. Then', 3],
    ['well-known, self-evident', 2],
    ['trailing- hyphen and -leading', 4],
    ['rock ’n’ roll', 3],
    ['Москва́ приняла решение', 3],
    ['Straße naïve café', 3],
    ['Україна визнала', 2],
    ['العربية نص', 2],
    ['ΑΘΗΝΑ 2022', 2],
  ])('%j has %d words', (text, expected) => {
    expect(countWords(text)).toBe(expected);
  });

  it('keeps a word together across a combining mark (decomposed “naïve”)', () => {
    expect(countWords('nai\u0308ve')).toBe(1);
  });

  it('does not treat a dot between a letter and a digit as a joiner', () => {
    expect(countWords('version.2')).toBe(2);
  });

  it('is linear on a huge single run of joiners and letters', () => {
    const text = 'a-'.repeat(200_000) + '!';
    expect(countWords(text)).toBe(1);
  });
});
