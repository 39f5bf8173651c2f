/**
 * The requests of the query phase: a fixed, seeded mix of GET /api/articles queries of the kinds the
 * API offers (single words of every frequency, phrases, OR, exclusion, with entity, date and other
 * filters, by relevance, collapsed into stories, and a deep page through the keyset cursor), built from
 * the words, word pairs and entities of the benchmark's own articles so that they match something.
 * Pure: the same corpus and seed give the same requests.
 */
import { type ArticleEnrichedV1, type Entity } from '@newsflow/contracts';

import { BENCH_BUCKET, BENCH_PUBLISHER } from './enriched-corpus';
import { entityId } from './table-rows';

export const QUERY_TYPES = [
  'word',
  'phrase',
  'or',
  'exclude',
  'entity',
  'date',
  'filters',
  'relevance',
  'collapse',
  'deep-page',
] as const;
export type QueryType = (typeof QUERY_TYPES)[number];

/** How often each kind is drawn, relative to the others. */
export const QUERY_WEIGHTS: Readonly<Record<QueryType, number>> = {
  word: 4,
  phrase: 1,
  or: 1,
  exclude: 1,
  entity: 1,
  date: 1,
  filters: 1,
  relevance: 1,
  collapse: 1,
  'deep-page': 1,
};

/** Pages of 20 (the API's default) skipped by a deep-page request: it asks for page 26. */
export const DEEP_PAGE = 26;
/** Deep pages are asked of this many of the most common words (each is paged through once, untimed). */
export const DEEP_PAGE_WORDS = 8;

export interface QueryRequest {
  type: QueryType;
  /** Query parameters of GET /api/articles, in order. */
  params: [string, string][];
  /** For deep-page requests: the page to ask for, reached by following `nextCursor` from the first. */
  page?: number;
}

export interface Vocabulary {
  /** Words in at least 5% of the articles (up to 30%), at least 0.5%, at least 0.05%. */
  common: string[];
  medium: string[];
  rare: string[];
  /** Adjacent word pairs found in many articles. */
  phrases: string[];
  /** The most linked entities. */
  entities: { type: Entity['type']; name: string }[];
  /** Calendar months the articles were published in, `YYYY-MM`. */
  months: string[];
}

const STOP_WORDS = new Set(
  `about above after again against also among another because been before being below between both
could does doing down during each either even ever every from further have having here hers herself
himself into itself just like made make many more most much must neither only other ours ourselves
over same said says should since some such than that their theirs them themselves then there these
they this those through under until upon very were what when where which while whom whose will with
within without would your yours yourself reuter reuters`.split(/\s+/),
);

/** Short words that would make a phrase of little meaning ("of the", "in a"). */
const SHORT_STOP_WORDS = new Set(
  'the and for are but not you all any can had her was one our out has his how its may new now own who did get let put say she too use mln pct cts dlrs vs'.split(
    ' ',
  ),
);

const WORD = /[a-z]{4,}/g;
const PAIR_WORD = /^[a-z]{3,}$/;

/** The words, pairs, entities and months of the corpus that the mix draws from. */
export function corpusVocabulary(articles: readonly ArticleEnrichedV1[]): Vocabulary {
  const words = new Map<string, number>();
  const pairs = new Map<string, number>();
  const entities = new Map<string, { type: Entity['type']; name: string; articles: number }>();
  const months = new Map<string, number>();
  for (const { article, enrichment } of articles) {
    const text = `${article.lede}\n${article.text}`.toLowerCase();
    for (const word of new Set(text.match(WORD) ?? [])) {
      if (!STOP_WORDS.has(word)) words.set(word, (words.get(word) ?? 0) + 1);
    }
    const tokens = text.split(/[^a-z]+/).filter((token) => token !== '');
    const seenPairs = new Set<string>();
    for (let index = 1; index < tokens.length; index++) {
      const [first, second] = [tokens[index - 1] as string, tokens[index] as string];
      if (!PAIR_WORD.test(first) || !PAIR_WORD.test(second)) continue;
      if ([first, second].some((token) => STOP_WORDS.has(token) || SHORT_STOP_WORDS.has(token))) continue;
      seenPairs.add(`${first} ${second}`);
    }
    for (const pair of seenPairs) pairs.set(pair, (pairs.get(pair) ?? 0) + 1);
    for (const entity of enrichment.entities ?? []) {
      const key = `${entity.type}:${entity.name}`;
      const known = entities.get(key);
      if (known) known.articles++;
      else entities.set(key, { type: entity.type, name: entity.name, articles: 1 });
    }
    const month = article.publishedAt.slice(0, 7);
    months.set(month, (months.get(month) ?? 0) + 1);
  }
  const total = Math.max(1, articles.length);
  const band = (low: number, high: number) =>
    byCountDescending(words)
      .filter(([, count]) => count / total >= low && count / total < high)
      .map(([word]) => word);
  return {
    common: band(0.05, 0.3).slice(0, 40),
    medium: band(0.005, 0.05).filter(everyNth(20)).slice(0, 40),
    rare: band(0.0005, 0.005).filter(everyNth(50)).slice(0, 40),
    phrases: byCountDescending(pairs)
      .slice(0, 60)
      .map(([pair]) => pair),
    entities: [...entities.values()]
      .sort((a, b) => b.articles - a.articles || a.name.localeCompare(b.name))
      .slice(0, 100)
      .map(({ type, name }) => ({ type, name })),
    // Months with at least 1% of the articles: date filters that select something.
    months: byCountDescending(months)
      .filter(([, count]) => count / total >= 0.01)
      .map(([month]) => month)
      .sort(),
  };
}

function byCountDescending(counts: ReadonlyMap<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** Keeps one item in `n`, so that a band is sampled across its range rather than at its top. */
function everyNth(n: number): (item: unknown, index: number) => boolean {
  return (_item, index) => index % n === 0;
}

/** mulberry32: a small seeded generator, so that a mix is the same from run to run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `count` requests drawn by QUERY_WEIGHTS. Throws when the vocabulary lacks what a kind needs. */
export function buildQueryMix(vocabulary: Vocabulary, count: number, seed: number): QueryRequest[] {
  for (const [name, list] of Object.entries(vocabulary) as [keyof Vocabulary, unknown[]][]) {
    if (list.length === 0) throw new Error(`The corpus gave no ${name} to build queries from`);
  }
  const random = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const anyWord = () =>
    pick([vocabulary.common, vocabulary.medium, vocabulary.rare][Math.floor(random() * 3)] ?? []);
  const totalWeight = QUERY_TYPES.reduce((sum, type) => sum + QUERY_WEIGHTS[type], 0);
  const drawType = (): QueryType => {
    let point = random() * totalWeight;
    for (const type of QUERY_TYPES) {
      point -= QUERY_WEIGHTS[type];
      if (point < 0) return type;
    }
    return 'word';
  };
  const request = (type: QueryType): QueryRequest => {
    switch (type) {
      case 'word':
        return { type, params: [['q', anyWord()]] };
      case 'phrase':
        return { type, params: [['q', `"${pick(vocabulary.phrases)}"`]] };
      case 'or':
        return { type, params: [['q', `${pick(vocabulary.medium)} or ${pick(vocabulary.medium)}`]] };
      case 'exclude':
        return { type, params: [['q', `${pick(vocabulary.common)} -${pick(vocabulary.medium)}`]] };
      case 'entity': {
        const entity = pick(vocabulary.entities);
        // By canonical name (case-insensitive lookup) or by id, as clients do both.
        const reference = random() < 0.5 ? entity.name.toLowerCase() : entityId(entity.type, entity.name);
        return {
          type,
          params: [
            ['q', pick(vocabulary.common)],
            ['entity', reference],
          ],
        };
      }
      case 'date': {
        const month = pick(vocabulary.months);
        return {
          type,
          params: [
            ['q', anyWord()],
            ['from', `${month}-01`],
            ['to', `${month}-${String(daysIn(month)).padStart(2, '0')}`],
          ],
        };
      }
      case 'filters':
        return {
          type,
          params: [
            ['q', anyWord()],
            ['language', 'en'],
            ['sentimentMin', '-0.5'],
            ['source', `${BENCH_BUCKET}/reuters/`],
            ['publisher', BENCH_PUBLISHER.toLowerCase()],
          ],
        };
      case 'relevance':
        return {
          type,
          params: [
            ['q', anyWord()],
            ['sort', 'relevance'],
          ],
        };
      case 'collapse':
        return {
          type,
          params: [
            ['q', anyWord()],
            ['collapseDuplicates', 'true'],
          ],
        };
      case 'deep-page':
        // A few of the most common words, each with enough pages; reaching page 26 takes 25 requests.
        return { type, params: [['q', pick(vocabulary.common.slice(0, DEEP_PAGE_WORDS))]], page: DEEP_PAGE };
    }
  };
  return Array.from({ length: count }, () => request(drawType()));
}

function daysIn(month: string): number {
  const [year, monthNumber] = month.split('-').map(Number);
  return new Date(Date.UTC(year ?? 1970, monthNumber ?? 1, 0)).getUTCDate();
}

/** The request's path and query string; `cursor` is added for deep pages. */
export function requestPath(request: QueryRequest, cursor?: string): string {
  const params = new URLSearchParams(request.params);
  if (cursor !== undefined) params.set('cursor', cursor);
  return `/api/articles?${params.toString()}`;
}
