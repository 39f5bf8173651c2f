import {
  type ArticleFilter,
  type ArticlePosition,
  type ArticleSort,
  type EntityFilter,
  type EntityReference,
  type KeysetPosition,
  type RelevanceWindow,
} from './article-filter';

/** The text search configuration of the `search` column (see the migration for why English). */
export const SEARCH_CONFIG = 'english';

/** Collects bind parameters; each value is bound once and may be referenced several times. */
export class SqlParameters {
  readonly values: unknown[] = [];

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}

/** A condition on the article row of the given alias. */
type Predicate = (alias: string) => string;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (character) => `\\${character}`);

const nextDay = (date: string) => {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() + 1);
  return day.toISOString();
};

/**
 * The filter as SQL conditions, written once per alias: collapsing duplicates compares an article with
 * the other articles of its story under the same conditions.
 */
export function filterPredicates(filter: ArticleFilter, parameters: SqlParameters): Predicate[] {
  const { text, entityGroups, others } = filterPredicateParts(filter, parameters);
  return [...text, ...entityGroups.map((group) => group.predicate), ...others];
}

/** The filter's conditions by kind: entities one per group (see EntityFilter.resolvedIds). */
interface PredicateParts {
  text: Predicate[];
  entityGroups: EntityCondition[];
  others: Predicate[];
}

function filterPredicateParts(filter: ArticleFilter, parameters: SqlParameters): PredicateParts {
  const text: Predicate[] = [];
  if (filter.text !== undefined) {
    const query = searchQuery(filter.text, parameters);
    text.push((a) => `${a}.search @@ ${query}`);
  }
  const entityGroups = filter.entities ? entityPredicates(filter.entities, parameters) : [];
  const predicates: Predicate[] = [];
  if (filter.language !== undefined) {
    const language = parameters.add(filter.language);
    predicates.push((a) => `${a}.language = ${language}`);
  }
  if (filter.publishedFrom !== undefined) {
    const from = parameters.add(`${filter.publishedFrom}T00:00:00Z`, 'timestamptz');
    predicates.push((a) => `${a}.published_at >= ${from}`);
  }
  if (filter.publishedTo !== undefined) {
    const before = parameters.add(nextDay(filter.publishedTo), 'timestamptz');
    predicates.push((a) => `${a}.published_at < ${before}`);
  }
  if (filter.sentimentMin !== undefined) {
    const minimum = parameters.add(filter.sentimentMin, 'double precision');
    predicates.push((a) => `${a}.sentiment_score >= ${minimum}`);
  }
  if (filter.sentimentMax !== undefined) {
    const maximum = parameters.add(filter.sentimentMax, 'double precision');
    predicates.push((a) => `${a}.sentiment_score <= ${maximum}`);
  }
  if (filter.sourcePrefix !== undefined) {
    // source_path has the "C" collation, so a prefix LIKE is a range scan of its index.
    const pattern = parameters.add(`${escapeLike(filter.sourcePrefix)}%`);
    predicates.push((a) => `${a}.source_path LIKE ${pattern}`);
  }
  if (filter.publisher !== undefined) {
    const publisher = parameters.add(filter.publisher);
    predicates.push((a) => `lower(${a}.publisher) = lower(${publisher})`);
  }
  return { text, entityGroups, others: predicates };
}

export function searchQuery(text: string, parameters: SqlParameters): string {
  return `websearch_to_tsquery('${SEARCH_CONFIG}', ${parameters.add(text)})`;
}

/** An entity condition; for a group of resolved ids, also the bound list (`$n::text[]`). */
interface EntityCondition {
  predicate: Predicate;
  ids?: string;
}

function entityPredicates(filter: EntityFilter, parameters: SqlParameters): EntityCondition[] {
  if (filter.resolvedIds) {
    return filter.resolvedIds.map((group) => {
      const ids = parameters.add(group, 'text[]');
      return {
        ids,
        predicate: (a) =>
          `EXISTS (SELECT 1 FROM storage.article_entities ae
                    WHERE ae.article_id = ${a}.id AND ae.entity_id = ANY(${ids}))`,
      };
    });
  }
  const type = filter.type === undefined ? undefined : parameters.add(filter.type);
  const mentionsAny = (references: EntityReference[]): Predicate => {
    const ids = references.flatMap((reference) => ('id' in reference ? [reference.id] : []));
    const names = references.flatMap((reference) => ('name' in reference ? [reference.name] : []));
    const matches: string[] = [];
    if (ids.length > 0) matches.push(`e.id = ANY(${parameters.add(ids, 'text[]')})`);
    if (names.length > 0) {
      const list = parameters.add(names, 'text[]');
      matches.push(`lower(e.canonical_name) IN (SELECT lower(name) FROM unnest(${list}) AS name)`);
    }
    const entities = `SELECT e.id FROM storage.entities e
                       WHERE (${matches.join(' OR ')})${type ? ` AND e.type = ${type}` : ''}`;
    return (a) =>
      `EXISTS (SELECT 1 FROM storage.article_entities ae
                WHERE ae.article_id = ${a}.id AND ae.entity_id IN (${entities}))`;
  };
  const predicates =
    filter.match === 'any'
      ? [mentionsAny(filter.references)]
      : filter.references.map((reference) => mentionsAny([reference]));
  return predicates.map((predicate) => ({ predicate }));
}

export interface ArticleListQuery {
  filter: ArticleFilter;
  sort: ArticleSort;
  after?: ArticlePosition;
  limit: number;
  /** Matches per relevance window; RELEVANCE_WINDOW unless a test needs small windows. */
  relevanceWindow?: number;
}

export interface SqlStatement {
  sql: string;
  parameters: unknown[];
}

/**
 * How many matches a relevance window ranks. Ranking reads every candidate's full-text vector, so
 * ranking all matches of a common word (40% of 100,000 articles) took 0.5 to 2 s; a window of the
 * 1,000 newest matches is ranked in a few milliseconds and still orders more than ten pages of 100.
 */
export const RELEVANCE_WINDOW = 1000;

/**
 * Where the list reads its articles from (alias `a`) and the keys of its newest-first order, equal to
 * `(a.published_at, a.id)`. Filtered by one entity, it reads that entity's links newest first
 * (article_entities_entity_newest) and joins their articles: pages of an entity's articles then cost
 * what the page needs, where walking all articles newest first for the few that mention it, or joining
 * all its articles before sorting them, cost up to 100 ms (an entity in 4% or 13% of 100,000 articles).
 */
interface ListSource {
  from: string;
  publishedAt: string;
  id: string;
}

const ALL_ARTICLES: ListSource = { from: 'storage.articles a', publishedAt: 'a.published_at', id: 'a.id' };

interface ListPlan {
  source: ListSource;
  /** Conditions on `a` (and on the source). */
  where: string[];
}

/**
 * The source and the conditions every query of the list shares: the filter and, when collapsing, one
 * per story. Each filter value is bound once.
 */
function listPlan(filter: ArticleFilter, parameters: SqlParameters): ListPlan {
  const { text, entityGroups, others } = filterPredicateParts(filter, parameters);
  const groups = filter.entities?.resolvedIds ?? [];
  const driving = groups.findIndex((ids) => ids.length === 1);
  const drivingList = entityGroups[driving]?.ids;
  let source = ALL_ARTICLES;
  const where: string[] = [];
  if (drivingList !== undefined) {
    source = {
      from: `storage.article_entities k JOIN storage.articles a ON a.id = k.article_id`,
      publishedAt: 'k.published_at',
      id: 'k.article_id',
    };
    // The group's one id, bound once with its condition on the story's other articles.
    where.push(`k.entity_id = (${drivingList})[1]`);
  }
  // The join already requires the driving entity of `a`; the other articles of a story still need it.
  const ofArticle = [
    ...text,
    ...entityGroups
      .filter((_, index) => drivingList === undefined || index !== driving)
      .map((group) => group.predicate),
    ...others,
  ];
  where.push(...ofArticle.map((predicate) => predicate('a')));
  if (filter.collapseDuplicates) {
    // A story is represented by its earliest article that matches: later copies never displace it, so
    // pagination stays stable while a story grows.
    const earlier = ['b.story_id = a.story_id', '(b.published_at, b.id) < (a.published_at, a.id)'];
    const ofStory = [...text, ...entityGroups.map((group) => group.predicate), ...others];
    earlier.push(...ofStory.map((predicate) => predicate('b')));
    where.push(`NOT EXISTS (SELECT 1 FROM storage.articles b WHERE ${earlier.join(' AND ')})`);
  }
  return { source, where };
}

const whereClause = (where: readonly string[]) =>
  where.length > 0 ? `WHERE ${where.join('\n             AND ')}` : '';

function keysetBefore(source: ListSource, position: KeysetPosition, parameters: SqlParameters): string {
  const publishedAt = parameters.add(position.publishedAt.toISOString(), 'timestamptz');
  return `(${source.publishedAt}, ${source.id}) < (${publishedAt}, ${parameters.add(position.id)})`;
}

function keysetAtOrAfter(source: ListSource, position: KeysetPosition, parameters: SqlParameters): string {
  const publishedAt = parameters.add(position.publishedAt.toISOString(), 'timestamptz');
  return `(${source.publishedAt}, ${source.id}) >= (${publishedAt}, ${parameters.add(position.id)})`;
}

const newestFirst = (source: ListSource) => `${source.publishedAt} DESC, ${source.id} DESC`;

/**
 * Ids of one page newest first, by keyset: the page starts strictly after the position of the last
 * item of the previous one, so inserts between page fetches never make an item repeat or be skipped.
 * For sort=relevance see relevancePageSql and openRelevanceWindowSql.
 */
export function articleListSql(query: ArticleListQuery): SqlStatement {
  if (query.sort === 'relevance') {
    if (!query.after) return openRelevanceWindowSql(query, null, query.limit);
    if (!query.after.window) throw new Error('a relevance position needs its window');
    return relevancePageSql(query, query.after.window);
  }
  const parameters = new SqlParameters();
  const { source, where } = listPlan(query.filter, parameters);
  if (query.after) where.push(keysetBefore(source, query.after, parameters));
  const limit = parameters.add(query.limit, 'integer');
  return {
    sql: `SELECT a.id, a.published_at, NULL::real AS rank
            FROM ${source.from}
           ${whereClause(where)}
           ORDER BY ${newestFirst(source)}
           LIMIT ${limit}`,
    parameters: parameters.values,
  };
}

/**
 * Relevance is ranked a window at a time (see RelevanceWindow): the first page opens a window of the
 * newest matches, the next pages continue it by (rank, publishedAt, id) and open the next window below
 * it when it runs out. The cost of a page is bounded by the window's size, not the number of matches,
 * and the order stays a strict total order that inserts cannot disturb: an article belongs to exactly
 * one window, fixed by the bounds in the cursor.
 *
 * Opens the window below `ceiling`: its RELEVANCE_WINDOW newest matches (found by the cheap newest-first
 * order), ranked. Each row carries the window's floor, the oldest candidate when the window is full,
 * null when it reaches the oldest match.
 */
export function openRelevanceWindowSql(
  query: ArticleListQuery,
  ceiling: KeysetPosition | null,
  limit: number,
): SqlStatement {
  const text = relevanceText(query);
  const parameters = new SqlParameters();
  const { source, where } = listPlan(query.filter, parameters);
  if (ceiling) where.push(keysetBefore(source, ceiling, parameters));
  const size = parameters.add(query.relevanceWindow ?? RELEVANCE_WINDOW, 'integer');
  const rank = rankOf('a', text, parameters);
  // The candidates are found and sorted without their vectors (a sort would carry them all, spilling
  // to disk for a few thousand matches); the window's rows are read again by id for ranking.
  return {
    sql: `WITH candidates AS MATERIALIZED (
            SELECT a.id, a.published_at
              FROM ${source.from}
             ${whereClause(where)}
             ORDER BY ${newestFirst(source)}
             LIMIT ${size}
          ), window_floor AS (
            SELECT published_at, id FROM candidates
             ORDER BY published_at DESC, id DESC OFFSET ${size} - 1 LIMIT 1
          )
          SELECT a.id, a.published_at, ${rank} AS rank,
                 f.published_at AS floor_published_at, f.id AS floor_id
            FROM candidates c
            JOIN storage.articles a ON a.id = c.id
            LEFT JOIN window_floor f ON true
           ORDER BY rank DESC, a.published_at DESC, a.id DESC
           LIMIT ${parameters.add(limit, 'integer')}`,
    parameters: parameters.values,
  };
}

/** The page after `query.after` within its window; rows carry the window's floor as they do when opened. */
export function relevancePageSql(query: ArticleListQuery, window: RelevanceWindow): SqlStatement {
  const after = query.after;
  if (!after) throw new Error('a relevance page within a window needs the position it follows');
  const text = relevanceText(query);
  const parameters = new SqlParameters();
  const { source, where } = listPlan(query.filter, parameters);
  if (window.ceiling) where.push(keysetBefore(source, window.ceiling, parameters));
  if (window.floor) where.push(keysetAtOrAfter(source, window.floor, parameters));
  const rank = rankOf('a', text, parameters);
  const afterRank = parameters.add(after.rank ?? 0, 'real');
  const afterPublishedAt = parameters.add(after.publishedAt.toISOString(), 'timestamptz');
  where.push(
    `(${rank}, a.published_at, a.id) < (${afterRank}, ${afterPublishedAt}, ${parameters.add(after.id)})`,
  );
  const floorPublishedAt = window.floor
    ? parameters.add(window.floor.publishedAt.toISOString(), 'timestamptz')
    : 'NULL::timestamptz';
  const floorId = window.floor ? parameters.add(window.floor.id, 'text') : 'NULL::text';
  return {
    sql: `SELECT a.id, a.published_at, ${rank} AS rank,
                 ${floorPublishedAt} AS floor_published_at, ${floorId} AS floor_id
            FROM ${source.from}
           ${whereClause(where)}
           ORDER BY rank DESC, a.published_at DESC, a.id DESC
           LIMIT ${parameters.add(query.limit, 'integer')}`,
    parameters: parameters.values,
  };
}

function relevanceText(query: ArticleListQuery): string {
  if (query.filter.text === undefined) throw new Error('relevance needs a text query');
  return query.filter.text;
}

/** Normalisation 1 divides by the log of the document length, so long articles do not win by size. */
function rankOf(alias: string, text: string, parameters: SqlParameters): string {
  return `ts_rank(${alias}.search, ${searchQuery(text, parameters)}, 1)`;
}
