import { articleIdOf, contentHashOf } from './article-id';
import type { ParsedArticle } from './types';
import { countWords } from './word-count';

/**
 * Builds the article from already normalized and validated parts. Every input format goes through here,
 * so the same content gets the same id whether it arrived as a text file or as a JSON record.
 * `textWords` is `countWords(text)` when the caller already counted it to check the body (counting
 * words is the most expensive step of reading an NDJSON record, so it is done once).
 */
export function assembleArticle(
  publishedAt: string,
  lede: string,
  paragraphs: string[],
  textWords?: number,
): ParsedArticle {
  const text = paragraphs.join('\n\n');
  const contentHash = contentHashOf({ publishedAt, lede, paragraphs });
  return {
    id: articleIdOf(contentHash),
    contentHash,
    publishedAt,
    lede,
    paragraphs,
    text,
    wordCount: countWords(lede) + (textWords ?? countWords(text)),
  };
}
