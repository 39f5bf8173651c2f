import { Topic } from '@newsflow/contracts';

import { SqlParameters, filterPredicates } from '../app/persistence/article-list.sql';
import { type ReplayItem, type ReplayTopic, type StoredArticleRow, replayItemOf } from './stored-article';

/** What the reader needs of a database client: TypeORM's DataSource and a wrapped pg Client both fit. */
export interface SqlClient {
  query(sql: string, parameters: unknown[]): Promise<unknown[]>;
}

/** Which stored articles to replay, with the meaning the query API gives the same filters. */
export interface ReplayFilter {
  /** Publication dates, YYYY-MM-DD, both inclusive. */
  from: string;
  to: string;
  /** `bucket/key` prefix of the object the article came from. */
  sourcePrefix?: string;
  /** Publishing outlet, exact but case-insensitive. */
  publisher?: string;
}

export interface ReplaySelection<T extends ReplayTopic = ReplayTopic> {
  topic: T;
  filter: ReplayFilter;
  /**
   * Ingested replays only: select articles whose stored enrichment is older than this version, or that
   * have none. Absent: every matching article. Enriched replays always select enriched articles.
   */
  enrichedBefore?: number;
  /** At most this many articles (the oldest first). */
  limit?: number;
}

export interface ReplayCount {
  /** Articles matching the filter, selected or not. */
  matching: number;
  /** Articles the replay will read (after `limit`). */
  selected: number;
  /** Articles matching the filter that have no enrichment yet (an enriched replay cannot send them). */
  notEnriched: number;
}

/** UTC text with microseconds: exact, and independent of the session's time zone. */
const utcText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

const ARTICLE_COLUMNS = [
  'a.id',
  'a.content_hash',
  `${utcText('a.published_at')} AS position`,
  'a.lede',
  'a.paragraphs',
  'a.body',
  'a.word_count',
  'a.source',
  'a.parser_version',
  `${utcText('a.first_seen_at')} AS first_seen_at`,
  `${utcText('a.ingested_at')} AS ingested_at`,
  'a.title',
  'a.url',
  'a.author',
  'a.publisher',
  'a.declared_language',
];

/**
 * Reads stored articles back as contract payloads, for `npm run replay`. Pages are keyset-paginated
 * on (published_at, id), oldest first, so memory stays at one page whatever the range, and articles
 * stored while a replay runs never make one repeat or go missing. Oldest first also gives enrichment
 * a re-enriched stream in publication order, the order its near-duplicate detection expects.
 * Read-only: it never writes to schema `storage`.
 */
export class StoredArticleReader {
  constructor(
    private readonly sql: SqlClient,
    private readonly pageSize = 500,
  ) {}

  async count(selection: ReplaySelection): Promise<ReplayCount> {
    const parameters = new SqlParameters();
    const where = this.filterConditions(selection.filter, parameters);
    const selected = this.selectionCondition(selection, parameters) ?? 'true';
    const [row] = (await this.sql.query(
      `SELECT count(*) AS matching,
              count(*) FILTER (WHERE ${selected}) AS selected,
              count(*) FILTER (WHERE a.enrichment IS NULL) AS not_enriched
         FROM storage.articles a
        WHERE ${where.join(' AND ')}`,
      parameters.values,
    )) as { matching: string; selected: string; not_enriched: string }[];
    const total = Number(row?.selected ?? 0);
    return {
      matching: Number(row?.matching ?? 0),
      selected: selection.limit === undefined ? total : Math.min(total, selection.limit),
      notEnriched: Number(row?.not_enriched ?? 0),
    };
  }

  /** The selected articles, a page at a time, each rebuilt and checked against the topic's schema. */
  async *pages<T extends ReplayTopic>(selection: ReplaySelection<T>): AsyncGenerator<ReplayItem<T>[]> {
    let remaining = selection.limit ?? Number.POSITIVE_INFINITY;
    let after: { position: string; id: string } | undefined;
    while (remaining > 0) {
      const pageLimit = Math.min(this.pageSize, remaining);
      const rows = await this.page(selection, pageLimit, after);
      if (rows.length === 0) return;
      remaining -= rows.length;
      const last = rows[rows.length - 1] as StoredArticleRow;
      after = { position: last.position, id: last.id };
      yield rows.map((row) => replayItemOf(selection.topic, row));
      if (rows.length < pageLimit) return;
    }
  }

  private async page(
    selection: ReplaySelection,
    limit: number,
    after: { position: string; id: string } | undefined,
  ): Promise<StoredArticleRow[]> {
    const parameters = new SqlParameters();
    const where = this.filterConditions(selection.filter, parameters);
    const selected = this.selectionCondition(selection, parameters);
    if (selected) where.push(selected);
    if (after) {
      where.push(
        `(a.published_at, a.id) > (${parameters.add(after.position, 'timestamptz')}, ${parameters.add(after.id)})`,
      );
    }
    const columns =
      selection.topic === Topic.ArticleEnrichedV1 ? [...ARTICLE_COLUMNS, 'a.enrichment'] : ARTICLE_COLUMNS;
    return (await this.sql.query(
      `SELECT ${columns.join(', ')}
         FROM storage.articles a
        WHERE ${where.join(' AND ')}
        ORDER BY a.published_at, a.id
        LIMIT ${parameters.add(limit, 'integer')}`,
      parameters.values,
    )) as StoredArticleRow[];
  }

  /** The query API's own conditions (article-list.sql), so `source` and the dates mean the same thing. */
  private filterConditions(filter: ReplayFilter, parameters: SqlParameters): string[] {
    return filterPredicates(
      {
        publishedFrom: filter.from,
        publishedTo: filter.to,
        sourcePrefix: filter.sourcePrefix,
        publisher: filter.publisher,
      },
      parameters,
    ).map((predicate) => predicate('a'));
  }

  private selectionCondition(selection: ReplaySelection, parameters: SqlParameters): string | undefined {
    if (selection.topic === Topic.ArticleEnrichedV1) return 'a.enrichment IS NOT NULL';
    if (selection.enrichedBefore === undefined) return undefined;
    return `(a.enrichment_version IS NULL OR a.enrichment_version < ${parameters.add(selection.enrichedBefore, 'integer')})`;
  }
}
