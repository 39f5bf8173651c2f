export type RejectionCode =
  | 'EMPTY'
  | 'NOT_TEXT'
  | 'BAD_HEADER'
  | 'BAD_DATE'
  | 'EMPTY_BODY'
  | 'TOO_LARGE'
  /** JSON/NDJSON: a syntax error, or a value that is not an object. */
  | 'BAD_JSON'
  /** JSON/NDJSON: a required field (date, lede, body) is absent or not of a usable type. */
  | 'MISSING_FIELD'
  /** The file name has none of the accepted extensions. */
  | 'UNKNOWN_FORMAT'
  /** The input is named `.gz` but cannot be decompressed (corrupt or truncated). */
  | 'BAD_GZIP';

export interface Rejection {
  code: RejectionCode;
  /** One sentence for a human (an editor fixing the file), quoting at most ~60 characters of the input. */
  message: string;
}

export interface ParsedArticle {
  /** First 32 hex chars of `contentHash`: the same normalized content always gets the same id. */
  id: string;
  /** sha256 hex of `${publishedAt}\n${lede}\n\n${paragraphs.join('\n\n')}`. */
  contentHash: string;
  /** 'YYYY-MM-DD' */
  publishedAt: string;
  lede: string;
  paragraphs: string[];
  /** `paragraphs.join('\n\n')` */
  text: string;
  /** `countWords` of lede + text. */
  wordCount: number;
}

export type ParseResult = { ok: true; article: ParsedArticle } | { ok: false; rejection: Rejection };

export interface ParseOptions {
  /** Reference point for the "not in the future" rule; default `new Date()`. */
  now?: Date;
  /** Inputs larger than this are rejected with TOO_LARGE before decoding; default 5 MiB. */
  maxBytes?: number;
}

/** The bulk input formats `readArticles` understands. */
export type InputFormat = 'text' | 'json' | 'ndjson';

export type FormatDetection =
  { ok: true; format: InputFormat; gzip: boolean } | { ok: false; rejection: Rejection };

/** Optional fields a JSON record may carry; passed through untouched apart from trimming. */
export interface ArticleFields {
  title?: string;
  url?: string;
  author?: string;
  /** The JSON field `source`. */
  publisher?: string;
  language?: string;
}

/** Where a record sits in the input, so an editor can find the offending line. */
export interface RecordLocation {
  /** 1-based physical line number (NDJSON only); blank lines are counted. */
  line?: number;
  /** Byte offset of the record's first byte in the decompressed stream (after a leading BOM). */
  byteStart?: number;
  /** Byte offset just after the record's last byte, line terminator excluded. */
  byteEnd?: number;
}

export type ArticleRecord =
  | { ok: true; article: ParsedArticle; fields: ArticleFields; location: RecordLocation }
  | { ok: false; rejection: Rejection; location: RecordLocation };

export interface ReadArticlesOptions {
  format: InputFormat;
  gzip: boolean;
  /** Reference point for the "not in the future" rule; default `new Date()`. */
  now?: Date;
  /** Limit for the whole decompressed input of the text and json formats; default 5 MiB. */
  maxBytes?: number;
  /** Limit for one NDJSON line (terminator excluded); default 1 MiB. Only that line is rejected. */
  maxRecordBytes?: number;
}
