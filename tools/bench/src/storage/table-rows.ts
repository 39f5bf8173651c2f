/**
 * The rows storage writes for enriched articles, table by table, for the COPY baseline and the bulk
 * setup of the query phase. A tool may not import app code, so this repeats the mapping of
 * apps/storage/src/app/persistence/article-rows.ts (same columns, same entity ids, same de-duplication);
 * the benchmark checks after each run that the COPY wrote exactly the rows the service wrote, so a
 * change on either side that is not made on the other shows as a failed check, not as a wrong number.
 */
import { type ArticleEnrichedV1, type Entity, entityId, type Place } from '@newsflow/contracts';

import { type CopyTable } from './copy-format';

export interface EntityRow {
  id: string;
  type: Entity['type'];
  canonicalName: string;
  place: Place | null;
}

export interface LinkRow {
  articleId: string;
  entityId: string;
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

/** The child rows of one article; entities are the article's own, not yet de-duplicated across articles. */
export interface ArticleChildRows {
  entities: EntityRow[];
  links: LinkRow[];
  keywords: KeywordRow[];
  quotes: QuoteRow[];
  amounts: AmountRow[];
  nearDuplicates: NearDuplicateRow[];
}

export { entityId };

/** An entity listed twice in one article keeps its first entry (the link's key is per article). */
export function childRowsOf({ article, enrichment }: ArticleEnrichedV1): ArticleChildRows {
  const articleId = article.id;
  const rows: ArticleChildRows = {
    entities: [],
    links: [],
    keywords: [],
    quotes: [],
    amounts: [],
    nearDuplicates: [],
  };
  const linked = new Set<string>();
  for (const entity of enrichment.entities ?? []) {
    const id = entityId(entity.type, entity.name);
    rows.entities.push({ id, type: entity.type, canonicalName: entity.name, place: entity.place ?? null });
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
  return rows;
}

/**
 * Distinct entities in order of first appearance; the first place seen for an entity is kept, as
 * storage keeps the place an entity was first stored with.
 */
export class EntityCollector {
  private readonly byId = new Map<string, EntityRow>();

  add(entities: readonly EntityRow[]): void {
    for (const entity of entities) {
      const known = this.byId.get(entity.id);
      if (!known) this.byId.set(entity.id, { ...entity });
      else if (!known.place && entity.place) known.place = entity.place;
    }
  }

  get size(): number {
    return this.byId.size;
  }

  rows(): EntityRow[] {
    return [...this.byId.values()];
  }
}

const utcMidnight = (date: string) => `${date}T00:00:00Z`;
const json = (value: unknown) => JSON.stringify(value);

export const ARTICLES: CopyTable<ArticleEnrichedV1> = {
  columns: [
    { name: 'id', value: ({ article }) => article.id },
    { name: 'content_hash', value: ({ article }) => article.contentHash },
    { name: 'published_at', value: ({ article }) => utcMidnight(article.publishedAt) },
    { name: 'lede', value: ({ article }) => article.lede },
    { name: 'paragraphs', value: ({ article }) => json(article.paragraphs) },
    { name: 'body', value: ({ article }) => article.text },
    { name: 'word_count', value: ({ article }) => article.wordCount },
    { name: 'source', value: ({ article }) => json(article.source) },
    { name: 'parser_version', value: ({ article }) => article.parserVersion },
    { name: 'first_seen_at', value: ({ article }) => article.firstSeenAt },
    { name: 'ingested_at', value: ({ article }) => article.ingestedAt },
    { name: 'title', value: ({ article }) => article.title ?? null },
    { name: 'url', value: ({ article }) => article.url ?? null },
    { name: 'author', value: ({ article }) => article.author ?? null },
    { name: 'publisher', value: ({ article }) => article.publisher ?? null },
    { name: 'declared_language', value: ({ article }) => article.declaredLanguage ?? null },
    { name: 'story_id', value: ({ article, enrichment }) => enrichment.nearDuplicate?.storyId ?? article.id },
    { name: 'language', value: ({ enrichment }) => enrichment.language.code },
    { name: 'language_confidence', value: ({ enrichment }) => enrichment.language.confidence },
    { name: 'reading_time_seconds', value: ({ enrichment }) => enrichment.readingTimeSeconds },
    { name: 'enrichment_version', value: ({ enrichment }) => enrichment.enrichmentVersion },
    { name: 'enriched_at', value: ({ enrichment }) => enrichment.enrichedAt },
    { name: 'enrichment', value: ({ enrichment }) => json(enrichment) },
    { name: 'sentiment_score', value: ({ enrichment }) => enrichment.sentiment?.score ?? null },
    { name: 'sentiment_positive', value: ({ enrichment }) => enrichment.sentiment?.positive ?? null },
    { name: 'sentiment_negative', value: ({ enrichment }) => enrichment.sentiment?.negative ?? null },
    { name: 'summary', value: ({ enrichment }) => enrichment.summary ?? null },
    { name: 'simhash', value: ({ enrichment }) => enrichment.simhash ?? null },
  ],
};

export const ENTITIES: CopyTable<EntityRow> = {
  columns: [
    { name: 'id', value: (row) => row.id },
    { name: 'type', value: (row) => row.type },
    { name: 'canonical_name', value: (row) => row.canonicalName },
    { name: 'country_code', value: (row) => row.place?.countryCode ?? null },
    { name: 'lat', value: (row) => row.place?.lat ?? null },
    { name: 'lon', value: (row) => row.place?.lon ?? null },
    { name: 'feature_type', value: (row) => row.place?.featureType ?? null },
  ],
};

export const ARTICLE_ENTITIES: CopyTable<LinkRow> = {
  columns: [
    { name: 'article_id', value: (row) => row.articleId },
    { name: 'entity_id', value: (row) => row.entityId },
    { name: 'published_at', value: (row) => utcMidnight(row.publishedAt) },
    { name: 'mentions', value: (row) => row.mentions },
    { name: 'salience', value: (row) => row.salience },
    { name: 'offsets', value: (row) => json(row.offsets) },
    { name: 'aliases', value: (row) => json(row.aliases) },
  ],
};

export const ARTICLE_KEYWORDS: CopyTable<KeywordRow> = {
  columns: [
    { name: 'article_id', value: (row) => row.articleId },
    { name: 'position', value: (row) => row.position },
    { name: 'text', value: (row) => row.text },
    { name: 'score', value: (row) => row.score },
  ],
};

export const ARTICLE_QUOTES: CopyTable<QuoteRow> = {
  columns: [
    { name: 'article_id', value: (row) => row.articleId },
    { name: 'position', value: (row) => row.position },
    { name: 'text', value: (row) => row.text },
    { name: 'speaker', value: (row) => row.speaker },
    { name: 'start_offset', value: (row) => row.start },
    { name: 'end_offset', value: (row) => row.end },
  ],
};

export const ARTICLE_AMOUNTS: CopyTable<AmountRow> = {
  columns: [
    { name: 'article_id', value: (row) => row.articleId },
    { name: 'position', value: (row) => row.position },
    { name: 'text', value: (row) => row.text },
    { name: 'value', value: (row) => row.value },
    { name: 'unit', value: (row) => row.unit },
    { name: 'object', value: (row) => row.object },
    { name: 'start_offset', value: (row) => row.start },
    { name: 'end_offset', value: (row) => row.end },
  ],
};

export const NEAR_DUPLICATES: CopyTable<NearDuplicateRow> = {
  columns: [
    { name: 'article_id', value: (row) => row.articleId },
    { name: 'duplicate_of', value: (row) => row.duplicateOf },
    { name: 'distance', value: (row) => row.distance },
    { name: 'story_id', value: (row) => row.storyId },
  ],
};

/** Every table storage writes an enriched article to, parents before children (foreign keys). */
export const STORAGE_TABLES = [
  'entities',
  'articles',
  'article_entities',
  'article_keywords',
  'article_quotes',
  'article_amounts',
  'near_duplicates',
] as const;
export type StorageTable = (typeof STORAGE_TABLES)[number];

/** Columns written by the service but not by the benchmark's COPY: times of the write itself. */
export const WRITE_TIME_COLUMNS: Readonly<Partial<Record<StorageTable, readonly string[]>>> = {
  entities: ['created_at'],
  articles: ['stored_at', 'updated_at'],
};
