import {
  type ArticleFilter,
  type ArticlePosition,
  type ArticleSort,
  type EntityFilter,
  type EntityReference,
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
  const predicates: Predicate[] = [];
  if (filter.text !== undefined) {
    const query = searchQuery(filter.text, parameters);
    predicates.push((a) => `${a}.search @@ ${query}`);
  }
  if (filter.entities) predicates.push(...entityPredicates(filter.entities, parameters));
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
  return predicates;
}

export function searchQuery(text: string, parameters: SqlParameters): string {
  return `websearch_to_tsquery('${SEARCH_CONFIG}', ${parameters.add(text)})`;
}

function entityPredicates(filter: EntityFilter, parameters: SqlParameters): Predicate[] {
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
  return filter.match === 'any'
    ? [mentionsAny(filter.references)]
    : filter.references.map((reference) => mentionsAny([reference]));
}

export interface ArticleListQuery {
  filter: ArticleFilter;
  sort: ArticleSort;
  after?: ArticlePosition;
  limit: number;
}

export interface SqlStatement {
  sql: string;
  parameters: unknown[];
}

/**
 * Ids (and ranks) of one page, by keyset: the page starts strictly after the position of the last item
 * of the previous one, so inserts between page fetches never make an item repeat or be skipped.
 */
export function articleListSql(query: ArticleListQuery): SqlStatement {
  const parameters = new SqlParameters();
  const predicates = filterPredicates(query.filter, parameters);
  const where = predicates.map((predicate) => predicate('a'));

  if (query.filter.collapseDuplicates) {
    // A story is represented by its earliest article that matches: later copies never displace it, so
    // pagination stays stable while a story grows.
    const earlier = ['b.story_id = a.story_id', '(b.published_at, b.id) < (a.published_at, a.id)'];
    earlier.push(...predicates.map((predicate) => predicate('b')));
    where.push(`NOT EXISTS (SELECT 1 FROM storage.articles b WHERE ${earlier.join(' AND ')})`);
  }

  let rank = 'NULL::real';
  let order = 'a.published_at DESC, a.id DESC';
  if (query.sort === 'relevance') {
    if (query.filter.text === undefined) throw new Error('relevance needs a text query');
    // Normalisation 1 divides by the log of the document length, so long articles do not win by size.
    rank = `ts_rank(a.search, ${searchQuery(query.filter.text, parameters)}, 1)`;
    order = `rank DESC, ${order}`;
  }

  if (query.after) {
    const publishedAt = parameters.add(query.after.publishedAt.toISOString(), 'timestamptz');
    const id = parameters.add(query.after.id);
    if (query.sort === 'relevance') {
      const afterRank = parameters.add(query.after.rank ?? 0, 'real');
      where.push(`(${rank}, a.published_at, a.id) < (${afterRank}, ${publishedAt}, ${id})`);
    } else {
      where.push(`(a.published_at, a.id) < (${publishedAt}, ${id})`);
    }
  }

  const limit = parameters.add(query.limit, 'integer');
  return {
    sql: `SELECT a.id, a.published_at, ${rank} AS rank
            FROM storage.articles a
           ${where.length > 0 ? `WHERE ${where.join('\n             AND ')}` : ''}
           ORDER BY ${order}
           LIMIT ${limit}`,
    parameters: parameters.values,
  };
}
