import {
  type ArticleEnrichedV1,
  ArticleEnrichedV1Schema,
  type ArticleIngestedV1,
  ArticleIngestedV1Schema,
  type EnrichmentV1,
  type PayloadOf,
  type SourceObject,
  Topic,
} from '@newsflow/contracts';

/** The topics a replay publishes to: enriched events for late consumers, ingested ones for re-enrichment. */
export type ReplayTopic = typeof Topic.ArticleEnrichedV1 | typeof Topic.ArticleIngestedV1;

/**
 * One `storage.articles` row as the replay reader selects it. Timestamps come as UTC text with
 * microseconds (see StoredArticleReader), so nothing is lost to JavaScript's millisecond dates and
 * nothing depends on the session's time zone.
 */
export interface StoredArticleRow {
  id: string;
  content_hash: string;
  /** `published_at` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`: the keyset position, and the date in its first 10 characters. */
  position: string;
  lede: string;
  paragraphs: string[];
  body: string;
  word_count: number;
  source: SourceObject;
  parser_version: string;
  first_seen_at: string;
  ingested_at: string;
  title: string | null;
  url: string | null;
  author: string | null;
  publisher: string | null;
  declared_language: string | null;
  /** Only selected for enriched replays. */
  enrichment?: EnrichmentV1 | null;
}

/**
 * `2022-02-23T08:00:01.456000Z` → `2022-02-23T08:00:01.456Z`, the form `Date.toISOString()` gives and
 * ingestion publishes; a timestamp that really has microseconds keeps them.
 */
export function isoInstant(utcWithMicroseconds: string): string {
  return utcWithMicroseconds.replace(/(\.\d{3})000Z$/, '$1Z');
}

/**
 * The article as its ingested event carried it. Absent optional fields were stored as NULL and are
 * left out again; timestamps are the same instants, written in UTC (storage keeps instants, not the
 * offset a producer happened to write them with).
 */
export function ingestedArticleOf(row: StoredArticleRow): ArticleIngestedV1 {
  return {
    id: row.id,
    contentHash: row.content_hash,
    publishedAt: row.position.slice(0, 10),
    lede: row.lede,
    paragraphs: row.paragraphs,
    text: row.body,
    wordCount: row.word_count,
    ...(row.title === null ? {} : { title: row.title }),
    ...(row.url === null ? {} : { url: row.url }),
    ...(row.author === null ? {} : { author: row.author }),
    ...(row.publisher === null ? {} : { publisher: row.publisher }),
    ...(row.declared_language === null ? {} : { declaredLanguage: row.declared_language }),
    source: row.source,
    parserVersion: row.parser_version,
    firstSeenAt: isoInstant(row.first_seen_at),
    ingestedAt: isoInstant(row.ingested_at),
  };
}

/** The enriched event: the article beside its enrichment exactly as stored (fields unknown to us included). */
export function enrichedArticleOf(row: StoredArticleRow): ArticleEnrichedV1 {
  if (!row.enrichment) throw new Error(`article ${row.id} has no stored enrichment`);
  return { article: ingestedArticleOf(row), enrichment: row.enrichment };
}

/** A payload ready to publish, or the reasons it is not. */
export type ReplayItem<T extends ReplayTopic> =
  { ok: true; id: string; payload: PayloadOf<T> } | { ok: false; id: string; problems: string };

/**
 * Rebuilds the payload of `topic` from a row and checks it against the contract. The payload itself
 * (not zod's parsed copy, which would drop fields this version does not know) is what gets published.
 */
export function replayItemOf<T extends ReplayTopic>(topic: T, row: StoredArticleRow): ReplayItem<T> {
  // Row → payload can fail only for enriched replays of a row without enrichment, which the reader
  // does not select; the schema check below is what catches stored data the contract no longer accepts.
  const payload: unknown =
    topic === Topic.ArticleEnrichedV1 ? enrichedArticleOf(row) : ingestedArticleOf(row);
  const schema = topic === Topic.ArticleEnrichedV1 ? ArticleEnrichedV1Schema : ArticleIngestedV1Schema;
  const result = schema.safeParse(payload);
  if (result.success) return { ok: true, id: row.id, payload: payload as PayloadOf<T> };
  return {
    ok: false,
    id: row.id,
    problems: result.error.issues
      .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
      .join('; '),
  };
}
