export { PARSER_VERSION, parseArticleText } from './lib/parse-article-text';
export { ArticleRejectedError } from './lib/rejection';
export type { ParsedArticle, ParseOptions, ParseResult, Rejection, RejectionCode } from './lib/types';
export { countWords } from './lib/word-count';
