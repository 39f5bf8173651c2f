import type { Rejection, RejectionCode } from './types';

const MAX_QUOTE_CHARS = 60;

export function rejection(code: RejectionCode, message: string): Rejection {
  return { code, message };
}

/**
 * Quotes a piece of the input for a message. Capped so a rejected multi-megabyte line cannot bloat logs
 * and events; counted in code points so an emoji or CJK character is never cut in half.
 */
export function quote(excerpt: string): string {
  const chars = Array.from(excerpt);
  const shown = chars.length > MAX_QUOTE_CHARS ? `${chars.slice(0, MAX_QUOTE_CHARS).join('')}…` : excerpt;
  return `'${shown}'`;
}

/** For callers that would rather throw than branch on `ParseResult`. */
export class ArticleRejectedError extends Error {
  constructor(readonly rejection: Rejection) {
    super(rejection.message);
    this.name = 'ArticleRejectedError';
  }
}
