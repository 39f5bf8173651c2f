export { PARSER_VERSION, parseArticleText } from './lib/parse-article-text';
export { ArticleRejectedError } from './lib/rejection';
export type { ParsedArticle, ParseOptions, ParseResult, Rejection, RejectionCode } from './lib/types';
export { countWords } from './lib/word-count';
export { detectFormat } from './lib/input-format';
export { readArticles } from './lib/read-articles';
export type {
  ArticleFields,
  ArticleRecord,
  FormatDetection,
  InputFormat,
  ReadArticlesOptions,
  RecordLocation,
} from './lib/types';
