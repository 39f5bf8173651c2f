import { createHash } from 'node:crypto';

import { BadRequestException } from '@nestjs/common';

import {
  type ArticlePosition,
  type ArticleSort,
  type KeysetPosition,
  type RelevanceWindow,
} from '../persistence/article-filter';

/** What a cursor belongs to: a relevance position only means something for the query it was ranked by. */
export interface CursorContext {
  sort: ArticleSort;
  /** The `q` of the request (needed for relevance). */
  text?: string;
}

const NEWEST: CursorContext = { sort: 'newest' };

/** Cursors carry a fingerprint of the ranked query, not the query itself. */
const fingerprint = (text: string) =>
  createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 11);

const encodeBound = (bound: KeysetPosition | null) =>
  bound === null ? null : [bound.publishedAt.toISOString(), bound.id];

/** A window bound as encoded by encodeBound; undefined when it is not one. */
function decodeBound(value: unknown): KeysetPosition | null | undefined {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [publishedAt, id] = value as unknown[];
  if (typeof publishedAt !== 'string' || typeof id !== 'string') return undefined;
  const date = new Date(publishedAt);
  return Number.isNaN(date.getTime()) ? undefined : { publishedAt: date, id };
}

/**
 * Cursors are opaque to clients: the position of the last item of a page, base64url-encoded JSON.
 * Newest first: `[publishedAt, id]`; by relevance: `[publishedAt, id, rank, fingerprint of q, ceiling,
 * floor]`, the last two being the bounds of its relevance window (`[publishedAt, id]` or null).
 * Filters are not part of it: a keyset position stays meaningful under any filter.
 */
export function encodeCursor(position: ArticlePosition, context: CursorContext = NEWEST): string {
  const parts: unknown[] = [position.publishedAt.toISOString(), position.id];
  if (context.sort === 'relevance') {
    const window: RelevanceWindow = position.window ?? { ceiling: null, floor: null };
    parts.push(
      position.rank ?? 0,
      fingerprint(context.text ?? ''),
      encodeBound(window.ceiling),
      encodeBound(window.floor),
    );
  }
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(value: string, context: CursorContext = NEWEST): ArticlePosition {
  let parts: unknown[];
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parsed)) throw new Error('not an array');
    parts = parsed;
  } catch {
    throw notACursor();
  }
  const [publishedAt, id, rank, queryFingerprint, ceiling, floor] = parts;
  const date = new Date(String(publishedAt));
  if (typeof publishedAt !== 'string' || typeof id !== 'string' || Number.isNaN(date.getTime())) {
    throw notACursor();
  }
  if (context.sort === 'newest') {
    if (parts.length !== 2) throw wrongQuery('sort=newest');
    return { publishedAt: date, id };
  }
  if (parts.length !== 6) throw wrongQuery('sort=relevance');
  if (typeof rank !== 'number' || !Number.isFinite(rank) || typeof queryFingerprint !== 'string') {
    throw notACursor();
  }
  const window = { ceiling: decodeBound(ceiling), floor: decodeBound(floor) };
  if (window.ceiling === undefined || window.floor === undefined) throw notACursor();
  if (queryFingerprint !== fingerprint(context.text ?? '')) throw wrongQuery('this q');
  return { publishedAt: date, id, rank, window: { ceiling: window.ceiling, floor: window.floor } };
}

const notACursor = () => new BadRequestException('cursor: not a cursor returned by this API');

const wrongQuery = (what: string) =>
  new BadRequestException(`cursor: belongs to a different query (not ${what}); start again without a cursor`);
