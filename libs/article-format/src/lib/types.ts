export type RejectionCode = 'EMPTY' | 'NOT_TEXT' | 'BAD_HEADER' | 'BAD_DATE' | 'EMPTY_BODY' | 'TOO_LARGE';

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
