import { type EntityType } from '../filter/entity-id';
import { type SubscriptionFilter } from '../filter/subscription-filter';
import { parseQuery } from '../query/parse-query';
import { type QueryNode, type TermNode, positiveTerms } from '../query/query-ast';
import { tokenize } from '../text/tokenize';
import { type MatchableArticle, type MatchableEntity } from './matchable-article';

export type CompiledEntityRef =
  { kind: 'id'; id: string } | { kind: 'name'; nameKey: string; type: EntityType | undefined };

/** A filter turned into what matching needs: a query tree, sets, bounds. */
export interface CompiledFilter {
  /** The query and the keywords (as an OR of phrases), ANDed. */
  query: QueryNode | undefined;
  entities: { match: 'any' | 'all'; items: readonly CompiledEntityRef[]; minSalience: number } | undefined;
  languages: ReadonlySet<string> | undefined;
  sentiment: { min: number; max: number } | undefined;
  sources: { publishers: ReadonlySet<string>; prefixes: readonly string[] } | undefined;
}

function keywordTerm(keyword: string): TermNode {
  return { kind: 'term', text: keyword.trim().replace(/\s+/gu, ' '), tokens: tokenize(keyword) };
}

/** Compiles a validated filter. Throws QuerySyntaxError only for a query that was never validated. */
export function compileFilter(filter: SubscriptionFilter): CompiledFilter {
  const parts: QueryNode[] = [];
  if (filter.query !== undefined) parts.push(parseQuery(filter.query));
  if (filter.keywords !== undefined) {
    const terms = filter.keywords.map(keywordTerm);
    parts.push(terms.length === 1 ? (terms[0] as TermNode) : { kind: 'or', children: terms });
  }
  const query: QueryNode | undefined =
    parts.length === 2
      ? {
          kind: 'and',
          children: parts.flatMap((part) => (part.kind === 'and' ? part.children : [part])),
        }
      : parts[0];
  return {
    query,
    entities: filter.entities && {
      match: filter.entities.match,
      minSalience: filter.entities.minSalience,
      items: filter.entities.items.map((item): CompiledEntityRef =>
        item.id !== undefined
          ? { kind: 'id', id: item.id }
          : { kind: 'name', nameKey: (item.name ?? '').toLowerCase(), type: item.type },
      ),
    },
    languages: filter.languages && new Set(filter.languages),
    sentiment: filter.sentiment && { min: filter.sentiment.min ?? -1, max: filter.sentiment.max ?? 1 },
    sources: filter.sources && {
      publishers: new Set((filter.sources.publishers ?? []).map((publisher) => publisher.toLowerCase())),
      prefixes: filter.sources.prefixes ?? [],
    },
  };
}

/** Whether the term's tokens appear consecutively in the article. */
export function hasTerm(article: MatchableArticle, tokens: readonly string[]): boolean {
  const starts = article.positions.get(tokens[0] as string);
  if (starts === undefined) return false;
  if (tokens.length === 1) return true;
  next: for (const start of starts) {
    for (let offset = 1; offset < tokens.length; offset++) {
      if (article.tokens[start + offset] !== tokens[offset]) continue next;
    }
    return true;
  }
  return false;
}

export function evaluateQuery(node: QueryNode, article: MatchableArticle): boolean {
  switch (node.kind) {
    case 'term':
      return hasTerm(article, node.tokens);
    case 'and':
      return node.children.every((child) => evaluateQuery(child, article));
    case 'or':
      return node.children.some((child) => evaluateQuery(child, article));
    case 'not':
      return !evaluateQuery(node.child, article);
  }
}

function entityMatches(ref: CompiledEntityRef, entity: MatchableEntity): boolean {
  return ref.kind === 'id'
    ? entity.id === ref.id
    : entity.nameKey === ref.nameKey && (ref.type === undefined || entity.type === ref.type);
}

/** The article's entities that satisfy the entity filter, or undefined when the filter does not hold. */
function matchEntities(
  filter: NonNullable<CompiledFilter['entities']>,
  article: MatchableArticle,
): MatchableEntity[] | undefined {
  const salient = article.entities.filter((entity) => entity.salience >= filter.minSalience);
  const matched = salient.filter((entity) => filter.items.some((ref) => entityMatches(ref, entity)));
  if (matched.length === 0) return undefined;
  if (
    filter.match === 'all' &&
    !filter.items.every((ref) => matched.some((entity) => entityMatches(ref, entity)))
  ) {
    return undefined;
  }
  return matched;
}

export interface FilterMatch {
  /** Terms of the query (not under a NOT) found in the article, as written, each once. */
  matchedTerms: string[];
  matchedEntities: MatchableEntity[];
}

/** Tests one article against one filter: cheap constraints first, the full text last. */
export function matchFilter(filter: CompiledFilter, article: MatchableArticle): FilterMatch | undefined {
  if (filter.languages && !filter.languages.has(article.language)) return undefined;
  if (filter.sentiment) {
    const score = article.sentiment;
    if (score === undefined || score < filter.sentiment.min || score > filter.sentiment.max) return undefined;
  }
  if (filter.sources) {
    const { publishers, prefixes } = filter.sources;
    const byPublisher = article.publisher !== undefined && publishers.has(article.publisher);
    if (!byPublisher && !prefixes.some((prefix) => article.sourcePath.startsWith(prefix))) return undefined;
  }
  let matchedEntities: MatchableEntity[] = [];
  if (filter.entities) {
    const matched = matchEntities(filter.entities, article);
    if (matched === undefined) return undefined;
    matchedEntities = matched;
  }
  if (filter.query && !evaluateQuery(filter.query, article)) return undefined;
  const matchedTerms = filter.query
    ? [
        ...new Set(
          positiveTerms(filter.query)
            .filter((term) => hasTerm(article, term.tokens))
            .map((term) => term.text),
        ),
      ]
    : [];
  return { matchedTerms, matchedEntities };
}
