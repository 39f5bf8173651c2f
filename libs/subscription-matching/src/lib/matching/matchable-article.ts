import { type ArticleEnrichedV1 } from '@newsflow/contracts';

import { type EntityType, entityId } from '../filter/entity-id';
import { tokenize } from '../text/tokenize';

export interface MatchableEntity {
  id: string;
  name: string;
  /** The canonical name lowercased: what a filter's `name` is compared with. */
  nameKey: string;
  type: EntityType;
  salience: number;
}

/**
 * An enriched article analysed once for matching against every subscription: its words (title, lede
 * and body, lowercased) with their positions for phrase lookups, and the other fields filters test.
 */
export interface MatchableArticle {
  id: string;
  /** Words in order; an empty string separates title, lede and body, so no phrase spans two of them. */
  tokens: readonly string[];
  /** Each distinct word → its positions in `tokens`, ascending. */
  positions: ReadonlyMap<string, readonly number[]>;
  /** Detected language code, lowercased (`und` when undetermined). */
  language: string;
  sentiment: number | undefined;
  /** Publisher, lowercased. */
  publisher: string | undefined;
  /** `bucket/key` of the object the article came from. */
  sourcePath: string;
  entities: readonly MatchableEntity[];
}

export function matchableArticle(event: ArticleEnrichedV1): MatchableArticle {
  const { article, enrichment } = event;
  const tokens: string[] = [];
  for (const field of [article.title, article.lede, article.text]) {
    if (field === undefined) continue;
    if (tokens.length > 0) tokens.push('');
    for (const token of tokenize(field)) tokens.push(token);
  }
  const positions = new Map<string, number[]>();
  tokens.forEach((token, position) => {
    if (token === '') return;
    const list = positions.get(token);
    if (list) list.push(position);
    else positions.set(token, [position]);
  });
  return {
    id: article.id,
    tokens,
    positions,
    language: enrichment.language.code.toLowerCase(),
    sentiment: enrichment.sentiment?.score,
    publisher: article.publisher?.trim().toLowerCase(),
    sourcePath: `${article.source.bucket}/${article.source.key}`,
    entities: (enrichment.entities ?? []).map((entity) => ({
      id: entityId(entity.type, entity.name),
      name: entity.name,
      nameKey: entity.name.toLowerCase(),
      type: entity.type,
      salience: entity.salience,
    })),
  };
}
