import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, In } from 'typeorm';

import {
  type Amount,
  type DateMention,
  type Keyword,
  type NearDuplicate,
  type Place,
} from '@newsflow/contracts';

import { ArticleEntity } from './article.entity';
import { type ArticleFilter, type RelevanceWindow } from './article-filter';
import {
  type ArticleListQuery,
  SEARCH_CONFIG,
  type SqlStatement,
  RELEVANCE_WINDOW,
  articleListSql,
  openRelevanceWindowSql,
} from './article-list.sql';

/** Injection token of the relevance window's size (tests use small windows); RELEVANCE_WINDOW without it. */
export const RELEVANCE_WINDOW_SIZE = Symbol('RELEVANCE_WINDOW_SIZE');
import { type EntityType } from './article-rows';

export interface ArticlePageItem {
  article: ArticleEntity;
  /** The full-text rank, when sorted by relevance. */
  rank: number | null;
  /** The relevance window the article was ranked in, when sorted by relevance. */
  window?: RelevanceWindow;
}

interface PageRow {
  id: string;
  published_at: Date;
  rank: number | null;
  floor_published_at?: Date | null;
  floor_id?: string | null;
}

interface RankedRow {
  id: string;
  rank: number | null;
  window?: RelevanceWindow;
}

export interface ArticleEntityMention {
  id: string;
  name: string;
  type: EntityType;
  mentions: number;
  salience: number;
  offsets: [number, number][];
  aliases: string[];
  place: Place | null;
}

export interface ArticleQuote {
  text: string;
  speaker: string | null;
  offsets: [number, number];
}

export type ArticleAmount = Omit<Amount, 'unit' | 'object'> & { unit: string | null; object: string | null };

export interface StorySibling {
  id: string;
  publishedAt: string;
  lede: string;
  nearDuplicateOf: string | null;
  distance: number | null;
}

/** Everything GET /api/articles/:id shows beside the article row. */
export interface ArticleDetails {
  entities: ArticleEntityMention[];
  keywords: Keyword[];
  quotes: ArticleQuote[];
  amounts: ArticleAmount[];
  dates: DateMention[];
  nearDuplicate: NearDuplicate | null;
  storySiblings: StorySibling[];
}

/** At most this many other articles of a story are listed with an article. */
export const STORY_SIBLINGS_LIMIT = 100;

/** Reads for the query API. json (not jsonb) aggregates keep doubles exact (jsonb rounds to 15 digits). */
@Injectable()
export class ArticleQueryRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() @Inject(RELEVANCE_WINDOW_SIZE) private readonly relevanceWindow: number = RELEVANCE_WINDOW,
  ) {}

  /** Whether a web-search query has anything to search for (not only stop words or punctuation). */
  async isSearchable(text: string): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT numnode(websearch_to_tsquery('${SEARCH_CONFIG}', $1)) > 0 AS searchable`,
      [text],
    )) as { searchable: boolean }[];
    return row?.searchable ?? false;
  }

  async listPage(listQuery: ArticleListQuery): Promise<ArticlePageItem[]> {
    const query = {
      relevanceWindow: this.relevanceWindow,
      ...listQuery,
      filter: await this.resolveEntities(listQuery.filter),
    };
    const rows: RankedRow[] =
      query.sort === 'relevance'
        ? await this.relevanceRows(query)
        : (await this.pageRows(articleListSql(query))).map((row) => ({ id: row.id, rank: row.rank }));
    if (rows.length === 0) return [];
    const articles = await this.dataSource
      .getRepository(ArticleEntity)
      .findBy({ id: In(rows.map((row) => row.id)) });
    const byId = new Map(articles.map((article) => [article.id, article]));
    // An article is never deleted, so every id of the page is found.
    return rows.flatMap((row) => {
      const article = byId.get(row.id);
      return article ? [{ article, rank: row.rank, window: row.window }] : [];
    });
  }

  /**
   * A relevance page: the rest of the cursor's window (or a new first window), then as many windows
   * below it as the page needs to be full (one at most while windows hold more than a page).
   */
  private async relevanceRows(query: ArticleListQuery): Promise<RankedRow[]> {
    let ceiling = query.after?.window?.ceiling ?? null;
    const ranked = (rows: PageRow[]): RankedRow[] =>
      rows.map((row) => ({
        id: row.id,
        rank: row.rank,
        window: {
          ceiling,
          floor:
            row.floor_published_at && row.floor_id
              ? { publishedAt: new Date(row.floor_published_at), id: row.floor_id }
              : null,
        },
      }));
    const page = ranked(await this.pageRows(articleListSql(query)));
    // Where the next window starts: below the floor of the last window read (none: no more matches).
    let floor = query.after?.window ? query.after.window.floor : (page.at(-1)?.window?.floor ?? null);
    while (page.length < query.limit && floor !== null) {
      ceiling = floor;
      const next = ranked(
        await this.pageRows(openRelevanceWindowSql(query, ceiling, query.limit - page.length)),
      );
      if (next.length === 0) break;
      page.push(...next);
      floor = next.at(-1)?.window?.floor ?? null;
    }
    return page;
  }

  /**
   * The entity filter with the ids each condition accepts (see EntityFilter.resolvedIds): references
   * by id that exist with the type asked for, references by name that match a canonical name in any
   * case. A reference that matches nothing leaves its condition with no ids, which nothing satisfies.
   */
  async resolveEntities(filter: ArticleFilter): Promise<ArticleFilter> {
    const entities = filter.entities;
    if (!entities || entities.resolvedIds) return filter;
    const { references } = entities;
    const ids = references.map((reference) => ('id' in reference ? reference.id : null));
    const names = references.map((reference) => ('name' in reference ? reference.name : null));
    // Two lookups, each by its index: by id, and by lower(canonical_name) as entities_lower_name.
    const rows = (await this.dataSource.query(
      `SELECT r.position, e.id
         FROM unnest($1::text[]) WITH ORDINALITY AS r(id, position)
         JOIN storage.entities e ON e.id = r.id
        WHERE $3::text IS NULL OR e.type = $3
       UNION ALL
       SELECT r.position, e.id
         FROM unnest($2::text[]) WITH ORDINALITY AS r(name, position)
         JOIN storage.entities e ON lower(e.canonical_name) = lower(r.name)
        WHERE $3::text IS NULL OR e.type = $3`,
      [ids, names, entities.type ?? null],
    )) as { position: string; id: string }[];
    const idsOf = references.map(() => [] as string[]);
    for (const row of rows) idsOf[Number(row.position) - 1]?.push(row.id);
    const resolvedIds = entities.match === 'any' ? [idsOf.flat()] : idsOf;
    return { ...filter, entities: { ...entities, resolvedIds } };
  }

  private async pageRows(statement: SqlStatement): Promise<PageRow[]> {
    return (await this.dataSource.query(statement.sql, statement.parameters)) as PageRow[];
  }

  async findDetails(article: Pick<ArticleEntity, 'id' | 'storyId'>): Promise<ArticleDetails> {
    const [row] = (await this.dataSource.query(
      `SELECT
         (SELECT coalesce(json_agg(json_build_object(
                   'id', e.id, 'name', e.canonical_name, 'type', e.type, 'mentions', ae.mentions,
                   'salience', ae.salience, 'offsets', ae.offsets, 'aliases', ae.aliases,
                   'place', CASE WHEN e.country_code IS NULL THEN NULL ELSE json_build_object(
                     'countryCode', e.country_code, 'lat', e.lat, 'lon', e.lon,
                     'featureType', e.feature_type) END)
                   ORDER BY ae.salience DESC, ae.mentions DESC, e.canonical_name, e.id), '[]')
            FROM storage.article_entities ae JOIN storage.entities e ON e.id = ae.entity_id
           WHERE ae.article_id = $1) AS entities,
         (SELECT coalesce(json_agg(json_build_object('text', text, 'score', score) ORDER BY position), '[]')
            FROM storage.article_keywords WHERE article_id = $1) AS keywords,
         (SELECT coalesce(json_agg(json_build_object(
                   'text', text, 'speaker', speaker, 'offsets', json_build_array(start_offset, end_offset))
                   ORDER BY position), '[]')
            FROM storage.article_quotes WHERE article_id = $1) AS quotes,
         (SELECT coalesce(json_agg(json_build_object(
                   'text', text, 'value', value, 'unit', unit, 'object', object,
                   'offsets', json_build_array(start_offset, end_offset)) ORDER BY position), '[]')
            FROM storage.article_amounts WHERE article_id = $1) AS amounts,
         (SELECT coalesce(enrichment -> 'dates', '[]') FROM storage.articles WHERE id = $1) AS dates,
         (SELECT json_build_object('of', duplicate_of, 'distance', distance, 'storyId', story_id)
            FROM storage.near_duplicates WHERE article_id = $1) AS near_duplicate,
         (SELECT coalesce(json_agg(json_build_object(
                   'id', s.id, 'publishedAt', to_char(s.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
                   'lede', s.lede, 'nearDuplicateOf', s.duplicate_of, 'distance', s.distance)
                   ORDER BY s.published_at, s.id), '[]')
            FROM (SELECT sibling.id, sibling.published_at, sibling.lede, nd.duplicate_of, nd.distance
                    FROM storage.articles sibling
                    LEFT JOIN storage.near_duplicates nd ON nd.article_id = sibling.id
                   WHERE sibling.story_id = $2 AND sibling.id <> $1
                   ORDER BY sibling.published_at, sibling.id
                   LIMIT ${STORY_SIBLINGS_LIMIT}) s) AS story_siblings`,
      [article.id, article.storyId],
    )) as {
      entities: ArticleEntityMention[];
      keywords: Keyword[];
      quotes: ArticleQuote[];
      amounts: ArticleAmount[];
      dates: DateMention[] | null;
      near_duplicate: NearDuplicate | null;
      story_siblings: StorySibling[];
    }[];
    return {
      entities: row?.entities ?? [],
      keywords: row?.keywords ?? [],
      quotes: row?.quotes ?? [],
      amounts: row?.amounts ?? [],
      dates: row?.dates ?? [],
      nearDuplicate: row?.near_duplicate ?? null,
      storySiblings: row?.story_siblings ?? [],
    };
  }
}
