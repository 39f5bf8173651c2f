import {
  type ArticleEnrichedV1,
  type ArticleIngestedV1,
  type Entity,
  entityId,
  type Place,
} from '@newsflow/contracts';

import { type BulkColumn } from './unnest-insert';

export type EntityType = Entity['type'];

/** Entity ids come from the contract; the migration's backfill computes the same in SQL. */
export { entityId };

/** Calendar dates are stored as UTC midnight, so they read back as the same date in any time zone. */
const utcMidnight = (date: string) => `${date}T00:00:00Z`;

/** Columns every article row has, from the ingested article (also carried by enriched events). */
function ingestColumns<R>(articleOf: (row: R) => ArticleIngestedV1): BulkColumn<R>[] {
  const column = (
    name: string,
    type: BulkColumn<R>['type'],
    value: (article: ArticleIngestedV1) => string | number | null,
  ): BulkColumn<R> => ({ name, type, value: (row) => value(articleOf(row)) });
  return [
    column('id', 'text', (article) => article.id),
    column('content_hash', 'text', (article) => article.contentHash),
    column('published_at', 'timestamptz', (article) => utcMidnight(article.publishedAt)),
    column('lede', 'text', (article) => article.lede),
    column('paragraphs', 'jsonb', (article) => JSON.stringify(article.paragraphs)),
    column('body', 'text', (article) => article.text),
    column('word_count', 'integer', (article) => article.wordCount),
    column('source', 'jsonb', (article) => JSON.stringify(article.source)),
    column('parser_version', 'text', (article) => article.parserVersion),
    column('first_seen_at', 'timestamptz', (article) => article.firstSeenAt),
    column('ingested_at', 'timestamptz', (article) => article.ingestedAt),
    column('title', 'text', (article) => article.title ?? null),
    column('url', 'text', (article) => article.url ?? null),
    column('author', 'text', (article) => article.author ?? null),
    column('publisher', 'text', (article) => article.publisher ?? null),
    column('declared_language', 'text', (article) => article.declaredLanguage ?? null),
  ];
}

export const INGESTED_ARTICLE_COLUMNS: readonly BulkColumn<ArticleIngestedV1>[] = [
  ...ingestColumns<ArticleIngestedV1>((article) => article),
  // Until its enrichment says otherwise, an article is the first of its own story.
  { name: 'story_id', type: 'text', value: (article) => article.id },
];

/** What an enrichment sets, and a newer enrichment replaces. */
const ENRICHMENT_COLUMNS: readonly BulkColumn<ArticleEnrichedV1>[] = [
  {
    name: 'story_id',
    type: 'text',
    value: ({ article, enrichment }) => enrichment.nearDuplicate?.storyId ?? article.id,
  },
  { name: 'language', type: 'text', value: ({ enrichment }) => enrichment.language.code },
  { name: 'language_confidence', type: 'real', value: ({ enrichment }) => enrichment.language.confidence },
  { name: 'reading_time_seconds', type: 'integer', value: ({ enrichment }) => enrichment.readingTimeSeconds },
  { name: 'enrichment_version', type: 'integer', value: ({ enrichment }) => enrichment.enrichmentVersion },
  { name: 'enriched_at', type: 'timestamptz', value: ({ enrichment }) => enrichment.enrichedAt },
  { name: 'enrichment', type: 'jsonb', value: ({ enrichment }) => JSON.stringify(enrichment) },
  {
    name: 'sentiment_score',
    type: 'double precision',
    value: ({ enrichment }) => enrichment.sentiment?.score ?? null,
  },
  {
    name: 'sentiment_positive',
    type: 'double precision',
    value: ({ enrichment }) => enrichment.sentiment?.positive ?? null,
  },
  {
    name: 'sentiment_negative',
    type: 'double precision',
    value: ({ enrichment }) => enrichment.sentiment?.negative ?? null,
  },
  { name: 'summary', type: 'text', value: ({ enrichment }) => enrichment.summary ?? null },
  { name: 'simhash', type: 'text', value: ({ enrichment }) => enrichment.simhash ?? null },
];

export const ENRICHMENT_COLUMN_NAMES = ENRICHMENT_COLUMNS.map((column) => column.name);

/** The id and what an enrichment sets: the rows of the UPDATE of articles already stored. */
export const ENRICHMENT_UPDATE_COLUMNS: readonly BulkColumn<ArticleEnrichedV1>[] = [
  { name: 'id', type: 'text', value: ({ article }) => article.id },
  ...ENRICHMENT_COLUMNS,
];

/** An enriched event carries the whole article, so it can create the row when it comes first. */
export const ENRICHED_ARTICLE_COLUMNS: readonly BulkColumn<ArticleEnrichedV1>[] = [
  ...ingestColumns<ArticleEnrichedV1>((item) => item.article),
  ...ENRICHMENT_COLUMNS,
];

const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * One ingested article per id, as consuming the batch one message at a time would leave it: the first
 * occurrence wins (later ones are replays). Sorted by id, so that concurrent batches lock rows in the
 * same order and cannot deadlock.
 */
export function firstPerArticle(articles: readonly ArticleIngestedV1[]): ArticleIngestedV1[] {
  const first = new Map<string, ArticleIngestedV1>();
  for (const article of articles) if (!first.has(article.id)) first.set(article.id, article);
  return [...first.values()].sort(byId);
}

/**
 * One enrichment per article, as consuming the batch one message at a time would leave it: a newer
 * version replaces an older one, an older one is ignored, and of equal versions the later one wins
 * (the version guard lets a same-version enrichment that differs replace the stored one). Sorted by id.
 */
export function latestPerArticle(items: readonly ArticleEnrichedV1[]): ArticleEnrichedV1[] {
  const latest = new Map<string, ArticleEnrichedV1>();
  for (const item of items) {
    const current = latest.get(item.article.id);
    if (!current || item.enrichment.enrichmentVersion >= current.enrichment.enrichmentVersion) {
      latest.set(item.article.id, item);
    }
  }
  return [...latest.values()].sort((a, b) => byId(a.article, b.article));
}

// ---- child rows ----------------------------------------------------------------------------------

export interface EntityRow {
  id: string;
  type: EntityType;
  canonicalName: string;
  place: Place | null;
}

export interface ArticleEntityRow {
  articleId: string;
  entityId: string;
  /** The article's, so that an entity's articles can be read newest first from its links. */
  publishedAt: string;
  mentions: number;
  salience: number;
  offsets: [number, number][];
  aliases: string[];
}

export interface KeywordRow {
  articleId: string;
  position: number;
  text: string;
  score: number;
}

export interface QuoteRow {
  articleId: string;
  position: number;
  text: string;
  speaker: string | null;
  start: number;
  end: number;
}

export interface AmountRow {
  articleId: string;
  position: number;
  text: string;
  value: number;
  unit: string | null;
  object: string | null;
  start: number;
  end: number;
}

export interface NearDuplicateRow {
  articleId: string;
  duplicateOf: string;
  distance: number;
  storyId: string;
}

export interface ChildRows {
  /** Distinct over the batch, sorted by id; the first place seen for an entity is kept. */
  entities: EntityRow[];
  links: ArticleEntityRow[];
  keywords: KeywordRow[];
  quotes: QuoteRow[];
  amounts: AmountRow[];
  nearDuplicates: NearDuplicateRow[];
}

/** The rows of the child tables for these enrichments (one item per article, see latestPerArticle). */
export function childRowsOf(items: readonly ArticleEnrichedV1[]): ChildRows {
  const entities = new Map<string, EntityRow>();
  const rows: ChildRows = {
    entities: [],
    links: [],
    keywords: [],
    quotes: [],
    amounts: [],
    nearDuplicates: [],
  };
  for (const { article, enrichment } of items) {
    const articleId = article.id;
    // An entity listed twice in one article keeps its first entry (the primary key is per article).
    const linked = new Set<string>();
    for (const entity of enrichment.entities ?? []) {
      const id = entityId(entity.type, entity.name);
      const known = entities.get(id);
      if (!known)
        entities.set(id, { id, type: entity.type, canonicalName: entity.name, place: entity.place ?? null });
      else if (!known.place && entity.place) known.place = entity.place;
      if (linked.has(id)) continue;
      linked.add(id);
      rows.links.push({
        articleId,
        entityId: id,
        publishedAt: article.publishedAt,
        mentions: entity.mentions,
        salience: entity.salience,
        offsets: entity.offsets,
        aliases: entity.aliases ?? [],
      });
    }
    (enrichment.keywords ?? []).forEach((keyword, position) =>
      rows.keywords.push({ articleId, position, text: keyword.text, score: keyword.score }),
    );
    (enrichment.quotes ?? []).forEach((quote, position) =>
      rows.quotes.push({
        articleId,
        position,
        text: quote.text,
        speaker: quote.speaker ?? null,
        start: quote.offsets[0],
        end: quote.offsets[1],
      }),
    );
    (enrichment.amounts ?? []).forEach((amount, position) =>
      rows.amounts.push({
        articleId,
        position,
        text: amount.text,
        value: amount.value,
        unit: amount.unit ?? null,
        object: amount.object ?? null,
        start: amount.offsets[0],
        end: amount.offsets[1],
      }),
    );
    if (enrichment.nearDuplicate) {
      rows.nearDuplicates.push({
        articleId,
        duplicateOf: enrichment.nearDuplicate.of,
        distance: enrichment.nearDuplicate.distance,
        storyId: enrichment.nearDuplicate.storyId,
      });
    }
  }
  rows.entities = [...entities.values()].sort(byId);
  return rows;
}

// ---- child table columns -------------------------------------------------------------------------

export const ENTITY_COLUMNS: readonly BulkColumn<EntityRow>[] = [
  { name: 'id', type: 'text', value: (row) => row.id },
  { name: 'type', type: 'text', value: (row) => row.type },
  { name: 'canonical_name', type: 'text', value: (row) => row.canonicalName },
  { name: 'country_code', type: 'text', value: (row) => row.place?.countryCode ?? null },
  { name: 'lat', type: 'double precision', value: (row) => row.place?.lat ?? null },
  { name: 'lon', type: 'double precision', value: (row) => row.place?.lon ?? null },
  { name: 'feature_type', type: 'text', value: (row) => row.place?.featureType ?? null },
];

export const ARTICLE_ENTITY_COLUMNS: readonly BulkColumn<ArticleEntityRow>[] = [
  { name: 'article_id', type: 'text', value: (row) => row.articleId },
  { name: 'entity_id', type: 'text', value: (row) => row.entityId },
  { name: 'published_at', type: 'timestamptz', value: (row) => utcMidnight(row.publishedAt) },
  { name: 'mentions', type: 'integer', value: (row) => row.mentions },
  { name: 'salience', type: 'double precision', value: (row) => row.salience },
  { name: 'offsets', type: 'jsonb', value: (row) => JSON.stringify(row.offsets) },
  { name: 'aliases', type: 'jsonb', value: (row) => JSON.stringify(row.aliases) },
];

export const KEYWORD_COLUMNS: readonly BulkColumn<KeywordRow>[] = [
  { name: 'article_id', type: 'text', value: (row) => row.articleId },
  { name: 'position', type: 'integer', value: (row) => row.position },
  { name: 'text', type: 'text', value: (row) => row.text },
  { name: 'score', type: 'double precision', value: (row) => row.score },
];

export const QUOTE_COLUMNS: readonly BulkColumn<QuoteRow>[] = [
  { name: 'article_id', type: 'text', value: (row) => row.articleId },
  { name: 'position', type: 'integer', value: (row) => row.position },
  { name: 'text', type: 'text', value: (row) => row.text },
  { name: 'speaker', type: 'text', value: (row) => row.speaker },
  { name: 'start_offset', type: 'integer', value: (row) => row.start },
  { name: 'end_offset', type: 'integer', value: (row) => row.end },
];

export const AMOUNT_COLUMNS: readonly BulkColumn<AmountRow>[] = [
  { name: 'article_id', type: 'text', value: (row) => row.articleId },
  { name: 'position', type: 'integer', value: (row) => row.position },
  { name: 'text', type: 'text', value: (row) => row.text },
  { name: 'value', type: 'double precision', value: (row) => row.value },
  { name: 'unit', type: 'text', value: (row) => row.unit },
  { name: 'object', type: 'text', value: (row) => row.object },
  { name: 'start_offset', type: 'integer', value: (row) => row.start },
  { name: 'end_offset', type: 'integer', value: (row) => row.end },
];

export const NEAR_DUPLICATE_COLUMNS: readonly BulkColumn<NearDuplicateRow>[] = [
  { name: 'article_id', type: 'text', value: (row) => row.articleId },
  { name: 'duplicate_of', type: 'text', value: (row) => row.duplicateOf },
  { name: 'distance', type: 'integer', value: (row) => row.distance },
  { name: 'story_id', type: 'text', value: (row) => row.storyId },
];
