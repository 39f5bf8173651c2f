import { type QueryNode, type TermNode } from '../query/query-ast';
import { type CompiledEntityRef, type CompiledFilter } from './compiled-filter';

/**
 * Keys of the inverted index: an article is a candidate for a subscription when it has one of the
 * subscription's keys. Each kind of key has its own postings.
 */
export interface IndexKeys {
  terms: string[];
  entityIds: string[];
  entityNames: string[];
  publishers: string[];
  languages: string[];
}

/**
 * How many candidates one key of a kind is expected to bring, relative to a word: a language key
 * makes the subscription a candidate for most articles, a publisher for many.
 */
const KEY_COST = { terms: 1, entityIds: 1, entityNames: 1, publishers: 20, languages: 1_000 } as const;

const empty = (): IndexKeys => ({ terms: [], entityIds: [], entityNames: [], publishers: [], languages: [] });

function cost(keys: IndexKeys): number {
  return (Object.keys(KEY_COST) as (keyof IndexKeys)[]).reduce(
    (sum, kind) => sum + keys[kind].length * KEY_COST[kind],
    0,
  );
}

/** The token of a phrase to index it by: the longest, as a proxy for the rarest. */
function indexToken(term: TermNode): string {
  return term.tokens.reduce((best, token) => (token.length > best.length ? token : best));
}

/**
 * Words of which a matching article must contain at least one, or undefined when there are none (a
 * NOT, or an OR with a NOT branch, can match an article without any of its words).
 */
export function necessaryTerms(node: QueryNode): string[] | undefined {
  switch (node.kind) {
    case 'term':
      return [indexToken(node)];
    case 'or': {
      const all: string[] = [];
      for (const child of node.children) {
        const terms = necessaryTerms(child);
        if (terms === undefined) return undefined;
        all.push(...terms);
      }
      return [...new Set(all)];
    }
    case 'and': {
      // Every child is necessary: the one with the fewest words is the most selective to index by.
      let best: string[] | undefined;
      for (const child of node.children) {
        const terms = necessaryTerms(child);
        if (terms !== undefined && (best === undefined || terms.length < best.length)) best = terms;
      }
      return best;
    }
    case 'not':
      return undefined;
  }
}

function entityKeys(refs: readonly CompiledEntityRef[]): IndexKeys {
  const keys = empty();
  for (const ref of refs) {
    if (ref.kind === 'id') keys.entityIds.push(ref.id);
    else keys.entityNames.push(ref.nameKey);
  }
  return keys;
}

/**
 * The cheapest set of keys that every article matching the filter has, or undefined when the filter
 * has none (only sentiment, source prefixes or negations): such subscriptions are tested against
 * every article.
 */
export function indexKeysOf(filter: CompiledFilter): IndexKeys | undefined {
  const options: IndexKeys[] = [];
  if (filter.query) {
    const terms = necessaryTerms(filter.query);
    if (terms) options.push({ ...empty(), terms });
  }
  if (filter.entities) {
    const { match, items } = filter.entities;
    if (match === 'any') options.push(entityKeys(items));
    // All are needed, so any one will do: the one with an exact id, else the first.
    else
      options.push(entityKeys([items.find((item) => item.kind === 'id') ?? (items[0] as CompiledEntityRef)]));
  }
  // Prefixes cannot be looked up by an exact key, and a source matches by publisher OR prefix.
  if (filter.sources && filter.sources.prefixes.length === 0) {
    options.push({ ...empty(), publishers: [...filter.sources.publishers] });
  }
  if (filter.languages) options.push({ ...empty(), languages: [...filter.languages] });
  return options.reduce<IndexKeys | undefined>(
    (best, keys) => (best === undefined || cost(keys) < cost(best) ? keys : best),
    undefined,
  );
}
