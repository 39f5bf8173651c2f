import { type SubscriptionFilter } from '../filter/subscription-filter';
import { type CompiledFilter, compileFilter, matchFilter } from './compiled-filter';
import { type IndexKeys, indexKeysOf } from './index-keys';
import { type MatchableArticle, type MatchableEntity } from './matchable-article';

export interface IndexableSubscription {
  id: string;
  filter: SubscriptionFilter;
}

export interface SubscriptionMatch<S extends IndexableSubscription> {
  subscription: S;
  matchedTerms: string[];
  matchedEntities: MatchableEntity[];
}

interface Entry<S> {
  subscription: S;
  filter: CompiledFilter;
}

type Postings<S> = Map<string, Entry<S>[]>;

function post<S>(postings: Postings<S>, key: string, entry: Entry<S>): void {
  const list = postings.get(key);
  if (list) list.push(entry);
  else postings.set(key, [entry]);
}

export interface SubscriptionIndexStats {
  subscriptions: number;
  /** Subscriptions without an index key, tested against every article. */
  alwaysChecked: number;
  keys: number;
  /** Subscriptions whose stored filter did not compile, left out (with the reason). */
  skipped: { id: string; reason: string }[];
}

/**
 * An immutable inverted index of subscriptions: word → subscriptions, entity → subscriptions,
 * publisher and language → subscriptions, plus the few that have none of these ("always check"). An
 * article is tested only against the subscriptions its words and entities lead to, and gets the same
 * answer as testing every subscription (the property tests check that). Build a new one when the
 * subscriptions change; matching never sees a half-updated index.
 */
export class SubscriptionIndex<S extends IndexableSubscription> {
  private readonly terms: Postings<S> = new Map();
  private readonly entityIds: Postings<S> = new Map();
  private readonly entityNames: Postings<S> = new Map();
  private readonly publishers: Postings<S> = new Map();
  private readonly languages: Postings<S> = new Map();
  private readonly alwaysChecked: Entry<S>[] = [];
  private readonly skipped: { id: string; reason: string }[] = [];
  private size = 0;

  static build<S extends IndexableSubscription>(subscriptions: Iterable<S>): SubscriptionIndex<S> {
    const index = new SubscriptionIndex<S>();
    for (const subscription of subscriptions) index.add(subscription);
    return index;
  }

  stats(): SubscriptionIndexStats {
    const keys = [this.terms, this.entityIds, this.entityNames, this.publishers, this.languages].reduce(
      (sum, postings) => sum + postings.size,
      0,
    );
    return {
      subscriptions: this.size,
      alwaysChecked: this.alwaysChecked.length,
      keys,
      skipped: [...this.skipped],
    };
  }

  /**
   * The subscriptions the article matches, in no particular order, each once. `probe`, when given,
   * gets how many subscriptions were tested (for benchmarks).
   */
  match(article: MatchableArticle, probe?: { candidates: number }): SubscriptionMatch<S>[] {
    const candidates = new Set<Entry<S>>(this.alwaysChecked);
    const collect = (list: Entry<S>[] | undefined) => {
      if (list) for (const entry of list) candidates.add(entry);
    };
    for (const token of article.positions.keys()) collect(this.terms.get(token));
    for (const entity of article.entities) {
      collect(this.entityIds.get(entity.id));
      collect(this.entityNames.get(entity.nameKey));
    }
    if (article.publisher !== undefined) collect(this.publishers.get(article.publisher));
    collect(this.languages.get(article.language));

    if (probe) probe.candidates = candidates.size;
    const matches: SubscriptionMatch<S>[] = [];
    for (const entry of candidates) {
      const found = matchFilter(entry.filter, article);
      if (found) matches.push({ subscription: entry.subscription, ...found });
    }
    return matches;
  }

  private add(subscription: S): void {
    let filter: CompiledFilter;
    try {
      filter = compileFilter(subscription.filter);
    } catch (error) {
      this.skipped.push({ id: subscription.id, reason: (error as Error).message });
      return;
    }
    const entry: Entry<S> = { subscription, filter };
    this.size += 1;
    const keys: IndexKeys | undefined = indexKeysOf(filter);
    if (keys === undefined) {
      this.alwaysChecked.push(entry);
      return;
    }
    for (const term of keys.terms) post(this.terms, term, entry);
    for (const id of keys.entityIds) post(this.entityIds, id, entry);
    for (const name of keys.entityNames) post(this.entityNames, name, entry);
    for (const publisher of keys.publishers) post(this.publishers, publisher, entry);
    for (const language of keys.languages) post(this.languages, language, entry);
  }
}
