import { type EntityType } from './article-rows';

/** An entity given by its id or by its canonical name (case-insensitive). */
export type EntityReference = { id: string } | { name: string };

export interface EntityFilter {
  references: EntityReference[];
  /** `any`: articles that mention at least one of them; `all`: articles that mention every one. */
  match: 'any' | 'all';
  /** Only entities of this type count. */
  type?: EntityType;
  /**
   * The ids of the entities each condition accepts, looked up before the query (type included; see
   * ArticleQueryRepository.resolveEntities): one group for `any`, one per reference for `all`. Given
   * as literal ids, the planner sees how many articles mention them, where a lookup by name inside the
   * query leaves it guessing (it then expected 80 articles for an entity in 13,000 of 100,000 and
   * joined them one by one, 100 ms where scanning newest first takes 5).
   */
  resolvedIds?: string[][];
}

/** What GET /api/articles selects; every field narrows the result, absent fields do not. */
export interface ArticleFilter {
  /** Web-search syntax (websearch_to_tsquery): words, "phrases", OR, -exclusion. */
  text?: string;
  entities?: EntityFilter;
  language?: string;
  /** Publication dates, YYYY-MM-DD, both inclusive. */
  publishedFrom?: string;
  publishedTo?: string;
  sentimentMin?: number;
  sentimentMax?: number;
  /** `bucket/key` prefix of the object the article came from, e.g. `local/reuters/`. */
  sourcePrefix?: string;
  /** Publishing outlet, case-insensitive. */
  publisher?: string;
  /** One article per near-duplicate story: its earliest article that matches the filter. */
  collapseDuplicates?: boolean;
}

export type ArticleSort = 'newest' | 'relevance';

/** A place in newest-first order: (publishedAt, id). */
export interface KeysetPosition {
  publishedAt: Date;
  id: string;
}

/**
 * The matches one relevance window ranks: those below `ceiling` (exclusive; null: the newest) down to
 * `floor` (inclusive; null: the oldest), in newest-first order. A window is opened with the
 * RELEVANCE_WINDOW newest matches below its ceiling and keeps the bounds it got then, so articles
 * stored later inside it join it and nothing leaves it.
 */
export interface RelevanceWindow {
  ceiling: KeysetPosition | null;
  floor: KeysetPosition | null;
}

/**
 * Where a page ends, in the order of its sort: newest first is (publishedAt, id) descending; relevance
 * is window by window, newest window first, and within a window (rank, publishedAt, id) descending,
 * where rank is a pure function of the article and the query.
 */
export interface ArticlePosition extends KeysetPosition {
  rank?: number;
  /** For relevance: the window the position is in. */
  window?: RelevanceWindow;
}
