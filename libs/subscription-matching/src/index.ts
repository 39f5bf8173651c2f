export { ENTITY_TYPES, type EntityType, entityId } from './lib/filter/entity-id';
export {
  FILTER_VERSION,
  SubscriptionFilterV1Schema,
  filterFromKeywords,
  subscriptionFilterOpenApiSchema,
  validateSubscriptionFilter,
  type EntityRef,
  type FilterProblem,
  type FilterValidation,
  type SubscriptionFilter,
  type SubscriptionFilterInput,
} from './lib/filter/subscription-filter';
export {
  compileFilter,
  evaluateQuery,
  matchFilter,
  type CompiledFilter,
  type FilterMatch,
} from './lib/matching/compiled-filter';
export { indexKeysOf, necessaryTerms, type IndexKeys } from './lib/matching/index-keys';
export {
  matchableArticle,
  type MatchableArticle,
  type MatchableEntity,
} from './lib/matching/matchable-article';
export {
  SubscriptionIndex,
  type IndexableSubscription,
  type SubscriptionIndexStats,
  type SubscriptionMatch,
} from './lib/matching/subscription-index';
export { QUERY_LIMITS, formatQuery, parseQuery } from './lib/query/parse-query';
export { allTerms, positiveTerms, type QueryNode, type TermNode } from './lib/query/query-ast';
export { QuerySyntaxError } from './lib/query/query-syntax-error';
export { tokenize } from './lib/text/tokenize';
