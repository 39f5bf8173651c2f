import { createHash } from 'node:crypto';

import { type ArticleEnrichedV1 } from '@newsflow/contracts';

import { type SubscriptionFilter } from '../filter/subscription-filter';
import { parseQuery } from '../query/parse-query';
import { type QueryNode } from '../query/query-ast';
import { tokenize } from '../text/tokenize';

/**
 * The filter semantics written as plainly as possible, for the property tests: every subscription is
 * tested (no index), phrases are found by scanning each field's words, entity ids are hashed here.
 * Deliberately shares no matching code with the index.
 */
export function referenceMatch(
  filter: SubscriptionFilter,
  event: ArticleEnrichedV1,
): { matchedTerms: string[]; matchedEntityNames: string[] } | undefined {
  const { article, enrichment } = event;
  const fields = [article.title, article.lede, article.text]
    .filter((field): field is string => field !== undefined)
    .map(tokenize);
  const contains = (phrase: readonly string[]) =>
    fields.some((words) => {
      for (let start = 0; start + phrase.length <= words.length; start++) {
        if (phrase.every((word, offset) => words[start + offset] === word)) return true;
      }
      return false;
    });
  const evaluate = (node: QueryNode): boolean => {
    if (node.kind === 'term') return contains(node.tokens);
    if (node.kind === 'and') return node.children.every(evaluate);
    if (node.kind === 'or') return node.children.some(evaluate);
    return !evaluate(node.child);
  };
  const positive = (node: QueryNode): string[] => {
    if (node.kind === 'term') return contains(node.tokens) ? [node.text] : [];
    if (node.kind === 'not') return [];
    return node.children.flatMap(positive);
  };

  if (filter.languages && !filter.languages.includes(enrichment.language.code.toLowerCase()))
    return undefined;
  if (filter.sentiment) {
    const score = enrichment.sentiment?.score;
    if (score === undefined) return undefined;
    if (filter.sentiment.min !== undefined && score < filter.sentiment.min) return undefined;
    if (filter.sentiment.max !== undefined && score > filter.sentiment.max) return undefined;
  }
  if (filter.sources) {
    const publisher = article.publisher?.toLowerCase();
    const path = `${article.source.bucket}/${article.source.key}`;
    const byPublisher = (filter.sources.publishers ?? []).some((p) => p.toLowerCase() === publisher);
    const byPrefix = (filter.sources.prefixes ?? []).some((prefix) => path.startsWith(prefix));
    if (!byPublisher && !byPrefix) return undefined;
  }
  let matchedEntityNames: string[] = [];
  if (filter.entities) {
    const { items, match, minSalience } = filter.entities;
    const entities = (enrichment.entities ?? []).filter((entity) => entity.salience >= minSalience);
    const fits = (item: (typeof items)[number], entity: (typeof entities)[number]) =>
      item.id !== undefined
        ? createHash('md5').update(`${entity.type}:${entity.name}`).digest('hex') === item.id
        : entity.name.toLowerCase() === item.name?.toLowerCase() && (!item.type || item.type === entity.type);
    const found = items.map((item) => entities.some((entity) => fits(item, entity)));
    if (match === 'any' ? !found.some(Boolean) : !found.every(Boolean)) return undefined;
    matchedEntityNames = entities
      .filter((entity) => items.some((item) => fits(item, entity)))
      .map((e) => e.name);
  }
  const queries: QueryNode[] = [];
  if (filter.query !== undefined) queries.push(parseQuery(filter.query));
  if (filter.keywords !== undefined) {
    queries.push({
      kind: 'or',
      children: filter.keywords.map((keyword) => ({
        kind: 'term',
        text: keyword.trim().replace(/\s+/g, ' '),
        tokens: tokenize(keyword),
      })),
    });
  }
  if (!queries.every(evaluate)) return undefined;
  return { matchedTerms: [...new Set(queries.flatMap(positive))], matchedEntityNames };
}
