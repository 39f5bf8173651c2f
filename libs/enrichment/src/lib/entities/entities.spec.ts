import { analyseText } from '../text/tokenize';
import { extractEntities } from './entities';

const entities = (text: string) => extractEntities(analyseText(text)).entities;
const find = (text: string, name: string) => entities(text).find((e) => e.name === name);

describe('extractEntities', () => {
  it('types spans by cue words, titles and gazetteers', () => {
    const text =
      'President Anna Berg of the Freedom Party met officials of the Ministry of Finance in Paris and Lyon. ' +
      'The Danube River flooded. Berg said the Australian Open was a success.';
    const found = entities(text);
    const typeOf = (name: string) => found.find((e) => e.name === name)?.type;
    expect(typeOf('Anna Berg')).toBe('PERSON');
    expect(typeOf('Freedom Party')).toBe('ORGANIZATION');
    expect(typeOf('Ministry of Finance')).toBe('ORGANIZATION');
    expect(typeOf('Paris')).toBe('LOCATION');
    expect(typeOf('Lyon')).toBe('LOCATION');
    expect(typeOf('Danube River')).toBe('LOCATION');
    expect(typeOf('Australian Open')).toBe('MISC');
    expect(find(text, 'Anna Berg')?.mentions).toBe(2);
  });

  it('merges spelling variants and resolves places', () => {
    const kiev = find('Troops left Kiev on Monday. Kyiv was calm later.', 'Kiev');
    expect(kiev?.mentions).toBe(2);
    expect(kiev?.aliases).toEqual(['Kyiv']);
    expect(kiev?.place).toMatchObject({ countryCode: 'UA', featureType: 'PPLC' });
  });

  it('resolves ambiguous city names by population and the countries of the article', () => {
    expect(find('Talks were held in Birmingham today.', 'Birmingham')?.place?.countryCode).toBe('GB');
    const american = 'In the United States, voters in Birmingham went to the polls.';
    expect(find(american, 'Birmingham')?.place?.countryCode).toBe('US');
  });

  it('knows countries by their other names and drops sentence-initial common words', () => {
    const found = entities('Leaders met in the Russian Federation. Later, Russia said it agreed.');
    expect(found.find((e) => e.name === 'Russia')?.mentions).toBe(2);
    expect(found.map((e) => e.name)).not.toContain('Leaders');
  });

  it('ranks salience by mentions and position, within [0, 1]', () => {
    const found = entities(
      'NATO met in Brussels. NATO said Brussels was calm. NATO agreed. Later Oslo was mentioned.',
    );
    expect(found[0]?.name).toBe('NATO');
    expect(found[0]?.salience).toBe(1);
    for (const e of found) expect(e.salience).toBeGreaterThan(0);
  });
});
