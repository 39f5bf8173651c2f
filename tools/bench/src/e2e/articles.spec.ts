import { type BenchArticle } from '../reuters';
import { articleCount, articleSource } from './articles';

const corpus: BenchArticle[] = [
  { date: '1987-03-02', title: 'Cocoa prices rise', paragraphs: ['Cocoa rose on Monday in London.'] },
  { date: '1987-03-02', title: 'Cocoa prices rise', paragraphs: ['Cocoa rose on Monday in London.'] },
  {
    date: '1987-03-03',
    title: 'Wheat exports fall',
    paragraphs: ['Exports of wheat fell.', 'Traders said so.'],
  },
];

describe('articleSource', () => {
  it('makes distinct articles from rounds of the corpus, leaving out repeated content', () => {
    const source = articleSource(corpus);
    const files = source.textFiles(5, 'steady');
    const ids = files.map((file) => file.articles[0]?.id);
    expect(new Set(ids).size).toBe(5);
    // Corpus articles 0 and 1 are the same wire: every round leaves one of them out.
    expect(source.repeats).toBeGreaterThanOrEqual(2);
    expect(files.map((file) => file.name)).toEqual([
      'steady-000000.txt',
      'steady-000001.txt',
      'steady-000002.txt',
      'steady-000003.txt',
      'steady-000004.txt',
    ]);
    expect(files[2]?.content.toString('utf8')).toBe(
      'date 1987-03-02 Cocoa prices rise [r1]\n\nCocoa rose on Monday in London.\n',
    );
  });

  it('splits NDJSON into files of at most the given size, ids distinct from the text files', async () => {
    const source = articleSource(corpus);
    const text = source.textFiles(2, 'full');
    const ndjson = await source.ndjsonFiles(5, 2, 'full');
    expect(ndjson.map((file) => [file.name, file.articles.length])).toEqual([
      ['full-0000.ndjson', 2],
      ['full-0001.ndjson', 2],
      ['full-0002.ndjson', 1],
    ]);
    expect(articleCount(ndjson)).toBe(5);
    const lines = ndjson[0]?.content.toString('utf8').trimEnd().split('\n') ?? [];
    expect(lines).toHaveLength(2);
    const ids = [...text, ...ndjson].flatMap((file) => file.articles.map((article) => article.id));
    expect(new Set(ids).size).toBe(7);
  });

  it('refuses an empty corpus', () => {
    expect(() => articleSource([])).toThrow('zero articles');
  });
});
