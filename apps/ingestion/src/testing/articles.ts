import { createHash } from 'node:crypto';

/** A valid article in the text format, with the id the service must give it. */
export interface TextArticle {
  content: string;
  lede: string;
  paragraphs: string[];
  /** Computed here, independently of @newsflow/article-format, so a shared bug cannot hide. */
  id: string;
}

export const ARTICLE_DATE = '2024-05-01';

/**
 * The id of an article: the first 32 hex characters of sha256 over its canonical form
 * (`date\nlede\n\nparagraph\n\nparagraph…`), as the ArticleIngestedV1 contract describes.
 */
export function expectedArticleId(publishedAt: string, lede: string, paragraphs: readonly string[]): string {
  return createHash('sha256')
    .update(`${publishedAt}\n${lede}\n\n${paragraphs.join('\n\n')}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
}

/** `date 2024-05-01 Lede <label>\n\nBody paragraph <label>.\n`: distinct content per label. */
export function textArticle(label: string): TextArticle {
  const lede = `Lede ${label}`;
  const paragraphs = [`Body paragraph ${label}.`];
  return {
    content: `date ${ARTICLE_DATE} ${lede}\n\n${paragraphs.join('\n\n')}\n`,
    lede,
    paragraphs,
    id: expectedArticleId(ARTICLE_DATE, lede, paragraphs),
  };
}

/** One NDJSON record (a JSON object on one line) and the id it must get. */
export function ndjsonRecord(label: string): { line: string; id: string } {
  const lede = `NDJSON lede ${label}`;
  const body = `NDJSON body ${label}, one paragraph.`;
  return {
    line: JSON.stringify({ date: ARTICLE_DATE, lede, body }),
    id: expectedArticleId(ARTICLE_DATE, lede, [body]),
  };
}
