import { createHash } from 'node:crypto';

/** 128 bits: collisions are not a concern at newsroom scale, and the id stays short in URLs and logs. */
const ID_HEX_CHARS = 32;

export interface ArticleContent {
  publishedAt: string;
  lede: string;
  paragraphs: readonly string[];
}

/**
 * The canonical text that is hashed. Any change here changes every article id, so it must go with a
 * major bump of PARSER_VERSION.
 */
export function canonicalForm({ publishedAt, lede, paragraphs }: ArticleContent): string {
  return `${publishedAt}\n${lede}\n\n${paragraphs.join('\n\n')}`;
}

export function contentHashOf(content: ArticleContent): string {
  return createHash('sha256').update(canonicalForm(content), 'utf8').digest('hex');
}

export function articleIdOf(contentHash: string): string {
  return contentHash.slice(0, ID_HEX_CHARS);
}
