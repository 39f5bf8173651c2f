import { BadRequestException } from '@nestjs/common';

import { type ArticleFilter, type ArticleSort, type EntityReference } from '../persistence/article-filter';
import { type ListArticlesQuery } from './article.dto';

/** Entity ids look like article ids; anything else given as `entity` is a name. */
const ENTITY_ID = /^[0-9a-f]{32}$/;

export function entityReference(value: string): EntityReference {
  return ENTITY_ID.test(value) ? { id: value } : { name: value };
}

/**
 * The validated query parameters as a filter and a sort. Checks that involve several parameters live
 * here (each parameter alone was checked by its DTO decorators); a 400 names the parameter at fault.
 */
export function articleListRequest(query: ListArticlesQuery): { filter: ArticleFilter; sort: ArticleSort } {
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw new BadRequestException(`from: must not be after to (${query.from} > ${query.to})`);
  }
  if (
    query.sentimentMin !== undefined &&
    query.sentimentMax !== undefined &&
    query.sentimentMin > query.sentimentMax
  ) {
    throw new BadRequestException('sentimentMin: must not be greater than sentimentMax');
  }
  if (query.type !== undefined && query.entity === undefined) {
    throw new BadRequestException('type: filters the entity parameter, so it needs entity too');
  }
  if (query.sort === 'relevance' && query.q === undefined) {
    throw new BadRequestException('sort: relevance ranks full-text matches, so it needs q');
  }
  const filter: ArticleFilter = {
    text: query.q,
    entities:
      query.entity === undefined
        ? undefined
        : { references: query.entity.map(entityReference), match: query.entityMatch, type: query.type },
    language: query.language,
    publishedFrom: query.from,
    publishedTo: query.to,
    sentimentMin: query.sentimentMin,
    sentimentMax: query.sentimentMax,
    sourcePrefix: query.source,
    publisher: query.publisher,
    collapseDuplicates: query.collapseDuplicates,
  };
  return { filter, sort: query.sort };
}
