import { BadRequestException } from '@nestjs/common';

import { type ArticlePageCursor } from '../persistence/article.repository';

/** Cursors are opaque to clients: the position of the last item of a page, base64url-encoded. */
export function encodeCursor(cursor: ArticlePageCursor): string {
  return Buffer.from(JSON.stringify([cursor.publishedAt.toISOString(), cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): ArticlePageCursor {
  try {
    const [publishedAt, id] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown[];
    const date = new Date(String(publishedAt));
    if (typeof id !== 'string' || Number.isNaN(date.getTime())) throw new Error('bad cursor shape');
    return { publishedAt: date, id };
  } catch {
    throw new BadRequestException('cursor: not a cursor returned by this API');
  }
}
