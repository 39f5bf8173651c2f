import { parseArticleText } from '@newsflow/article-format';

import { FUZZ_CATEGORIES, type FuzzSample, fuzzFiles, seededRandom } from './fuzz';

const SAMPLES: FuzzSample[] = [
  {
    date: '1987-03-02',
    lede: 'OPEC OIL OUTPUT SEEN ABOVE QUOTA',
    paragraphs: ['OPEC output rose in February, traders said.', 'The figure was 16.2 mln barrels a day.'],
  },
  { date: '1987-04-08', lede: 'GOLD FIELDS SETS DIVIDEND', paragraphs: ['The board declared a dividend.'] },
];

describe('fuzzFiles', () => {
  const files = fuzzFiles(900, 7, SAMPLES);

  it('gives the same files for the same seed and different ones for another', () => {
    expect(fuzzFiles(50, 7, SAMPLES)).toEqual(files.slice(0, 50));
    expect(fuzzFiles(50, 8, SAMPLES).map((file) => file.content)).not.toEqual(
      files.slice(0, 50).map((file) => file.content),
    );
  });

  it('covers every category evenly with unique names', () => {
    for (const category of FUZZ_CATEGORIES) {
      expect(files.filter((file) => file.category === category)).toHaveLength(100);
    }
    expect(new Set(files.map((file) => file.name)).size).toBe(files.length);
  });

  it('makes every text file one the article parser rejects, with a reason code', () => {
    const textFiles = files.filter((file) => file.name.endsWith('.txt'));
    expect(textFiles.length).toBeGreaterThan(400);
    for (const file of textFiles) {
      const result = parseArticleText(file.content);
      expect({ name: file.name, ok: result.ok }).toEqual({ name: file.name, ok: false });
      if (!result.ok) expect(result.rejection.code).toMatch(/^[A-Z_]+$/);
    }
  });

  it('makes every JSON file fail to parse or lack a usable field', () => {
    for (const file of files.filter((candidate) => candidate.name.endsWith('.json'))) {
      let value: unknown;
      try {
        value = JSON.parse(file.content.toString('utf8'));
      } catch {
        continue;
      }
      const record = value as Record<string, unknown> | null;
      const usable =
        record !== null &&
        typeof record === 'object' &&
        !Array.isArray(record) &&
        ['date', 'title', 'body'].every((field) => typeof record[field] === 'string');
      expect({ name: file.name, usable }).toEqual({ name: file.name, usable: false });
    }
  });

  it('refuses to work without samples', () => {
    expect(() => fuzzFiles(1, 1, [])).toThrow(/at least one sample/);
  });
});

describe('seededRandom', () => {
  it('stays within [0, 1)', () => {
    const random = seededRandom(42);
    for (let i = 0; i < 1000; i++) {
      const value = random();
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThan(1);
    }
  });
});
