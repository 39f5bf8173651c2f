/**
 * 10,000 subscriptions the way people write them, drawn from the benchmark's own articles so they match
 * at plausible rates (a match for one subscription in a few hundred articles): keyword lists, boolean queries with phrases, entity filters (by name or id, any
 * or all, with a salience floor), languages, sentiment, publishers, and a few that no index key
 * serves. Terms come from the middle of the document-frequency range (the names and topics people
 * monitor), not from stop words or hapaxes. Deterministic for a seed.
 */
import { type ArticleEnrichedV1 } from '@newsflow/contracts';
import {
  type EntityType,
  type SubscriptionFilter,
  type SubscriptionFilterInput,
  entityId,
  tokenize,
  validateSubscriptionFilter,
} from '@newsflow/subscription-matching';

import { MATCH_BENCH_BUCKET } from './enriched-articles';

export interface BenchSubscription {
  id: string;
  name: string;
  kind: SubscriptionKind;
  filter: SubscriptionFilter;
}

/** Share of each kind in the generated set (they add up to 1). */
export const SUBSCRIPTION_MIX = {
  keywords: 0.3,
  query: 0.25,
  entities: 0.2,
  'query+languages': 0.1,
  'entities+sentiment': 0.08,
  'keywords+publishers': 0.05,
  'sentiment+prefix (no index key)': 0.02,
} as const;

export type SubscriptionKind = keyof typeof SUBSCRIPTION_MIX;

const STOP_WORDS = new Set(
  'the a an and or not of to in on at for by with from as is are was were be been it its this that these those he she they we you i said says say would will could should has have had but than then also which who whom whose what when where why how there their them his her our your mln dlrs pct cts reuter reuters inc corp co ltd'.split(
    ' ',
  ),
);

/** mulberry32: a small, fast, seeded PRNG; the benchmark needs repeatability, not quality. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Vocabulary {
  words: string[];
  phrases: string[];
  entities: { name: string; type: EntityType }[];
}

/** Words, two-word phrases and entities found in between 0.1% and 1% of the articles (at least 2). */
export function vocabularyOf(articles: readonly ArticleEnrichedV1[]): Vocabulary {
  const words = new Map<string, number>();
  const phrases = new Map<string, number>();
  const entities = new Map<string, { name: string; type: EntityType; count: number }>();
  for (const { article, enrichment } of articles) {
    const tokens = tokenize(`${article.lede}\n${article.text}`);
    const useful = (token: string | undefined): token is string =>
      token !== undefined && token.length > 2 && !STOP_WORDS.has(token) && !/^\d+$/.test(token);
    for (const word of new Set(tokens.filter(useful))) words.set(word, (words.get(word) ?? 0) + 1);
    const pairs = new Set<string>();
    for (let index = 0; index + 1 < tokens.length; index++) {
      const [first, second] = [tokens[index], tokens[index + 1]];
      if (useful(first) && useful(second)) pairs.add(`${first} ${second}`);
    }
    for (const pair of pairs) phrases.set(pair, (phrases.get(pair) ?? 0) + 1);
    for (const entity of enrichment.entities ?? []) {
      const key = `${entity.type}:${entity.name}`;
      const seen = entities.get(key) ?? { name: entity.name, type: entity.type, count: 0 };
      seen.count += 1;
      entities.set(key, seen);
    }
  }
  const low = Math.max(2, Math.round(articles.length * 0.001));
  const high = Math.max(low, Math.round(articles.length * 0.01));
  const inBand = (count: number) => count >= low && count <= high;
  return {
    words: [...words].filter(([, count]) => inBand(count)).map(([word]) => word),
    phrases: [...phrases].filter(([, count]) => inBand(count)).map(([phrase]) => phrase),
    entities: [...entities.values()].filter((entity) => inBand(entity.count)),
  };
}

export function generateSubscriptions(
  articles: readonly ArticleEnrichedV1[],
  count: number,
  seed = 20_261_128,
): BenchSubscription[] {
  const vocabulary = vocabularyOf(articles);
  if (vocabulary.words.length < 50 || vocabulary.phrases.length < 20 || vocabulary.entities.length < 20) {
    throw new Error('not enough articles to draw subscriptions from: use more (--articles)');
  }
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const chance = (p: number) => next() < p;
  const word = () => (chance(0.5) ? pick(vocabulary.words) : capitalised(pick(vocabulary.words)));
  const phrase = () => pick(vocabulary.phrases);
  const term = () => (chance(0.3) ? phrase() : word());
  const quoted = (text: string) => (text.includes(' ') ? `"${text}"` : text);
  const query = () =>
    pick([
      () => `"${phrase()}" AND (${word()} OR ${word()})`,
      () => `${word()} ${word()}`,
      () => `(${word()} OR ${word()} OR ${quoted(term())}) NOT ${word()}`,
      () => `"${phrase()}" -${word()}`,
      () => `${quoted(term())} OR ${quoted(term())}`,
    ])();
  const keywords = () => Array.from({ length: 1 + Math.floor(next() * 3) }, term);
  const entityRef = () => {
    const entity = pick(vocabulary.entities);
    if (chance(0.5)) return { id: entityId(entity.type, entity.name) };
    return chance(0.5) ? { name: entity.name, type: entity.type } : { name: entity.name.toLowerCase() };
  };
  const entities = () =>
    chance(0.2)
      ? { match: 'all' as const, items: [entityRef(), entityRef()] }
      : {
          match: 'any' as const,
          items: Array.from({ length: 1 + Math.floor(next() * 3) }, entityRef),
          minSalience: chance(0.5) ? 0 : pick([0.05, 0.1, 0.2, 0.3]),
        };
  const sentiment = () => (chance(0.5) ? { max: pick([-0.3, -0.1, 0]) } : { min: pick([0, 0.1, 0.3]) });
  const filters: Record<SubscriptionKind, () => SubscriptionFilterInput> = {
    keywords: () => ({ keywords: keywords() }),
    query: () => ({ query: query() }),
    entities: () => ({ entities: entities() }),
    'query+languages': () => ({ query: query(), languages: chance(0.8) ? ['en'] : ['en', 'de', 'fr'] }),
    'entities+sentiment': () => ({ entities: entities(), sentiment: sentiment() }),
    'keywords+publishers': () => ({
      keywords: keywords(),
      sources: { publishers: [pick(['Reuters', 'Reuters Energy'])] },
    }),
    'sentiment+prefix (no index key)': () => ({
      sentiment: sentiment(),
      sources: { prefixes: [`${MATCH_BENCH_BUCKET}/reuters/${Math.floor(next() * 10)}/`] },
    }),
  };
  const kinds = Object.entries(SUBSCRIPTION_MIX) as [SubscriptionKind, number][];
  return Array.from({ length: count }, (_, index) => {
    let roll = next();
    const kind = kinds.find(([, share]) => (roll -= share) < 0)?.[0] ?? 'keywords';
    const result = validateSubscriptionFilter(filters[kind]());
    if (!result.ok)
      throw new Error(`generated an invalid ${kind} filter: ${JSON.stringify(result.problems)}`);
    return { id: `sub-${index}`, name: `${kind} ${index}`, kind, filter: result.filter };
  });
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
