import { z } from 'zod';

import { parseQuery, QUERY_LIMITS } from '../query/parse-query';
import { QuerySyntaxError } from '../query/query-syntax-error';
import { tokenize } from '../text/tokenize';
import { ENTITY_TYPES } from './entity-id';

/** The filter format this code writes; stored filters carry their version so the format can evolve. */
export const FILTER_VERSION = 1;

const EntityRefSchema = z
  .object({
    id: z
      .string()
      .regex(/^[0-9a-f]{32}$/, 'must be an entity id: 32 lowercase hex characters')
      .optional()
      .describe('Entity id from the storage API (md5 of `TYPE:name`)'),
    name: z.string().trim().min(1).max(200).optional().describe('Canonical name, any case'),
    type: z.enum(ENTITY_TYPES).optional().describe('With `name`: only entities of this type'),
  })
  .strict()
  .refine((ref) => (ref.id === undefined) !== (ref.name === undefined), {
    message: 'give either id or name',
  })
  .refine((ref) => ref.id === undefined || ref.type === undefined, {
    message: 'an id already names the type: give type only with name',
    path: ['type'],
  });

const EntitiesFilterSchema = z
  .object({
    match: z
      .enum(['any', 'all'])
      .default('any')
      .describe('Whether any or all of the items must be in the article'),
    items: z.array(EntityRefSchema).min(1).max(50),
    minSalience: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('An entity counts only when its salience in the article is at least this (0 to 1)'),
  })
  .strict();

const SentimentRangeSchema = z
  .object({
    min: z.number().min(-1).max(1).optional(),
    max: z.number().min(-1).max(1).optional(),
  })
  .strict()
  .refine((range) => range.min !== undefined || range.max !== undefined, { message: 'give min, max or both' })
  .refine((range) => range.min === undefined || range.max === undefined || range.min <= range.max, {
    message: 'min must not be above max',
  });

const SourcesFilterSchema = z
  .object({
    publishers: z
      .array(z.string().trim().min(1).max(200))
      .min(1)
      .max(100)
      .optional()
      .describe('Publishing outlets, exact but case-insensitive'),
    prefixes: z
      .array(z.string().min(1).max(1_000))
      .min(1)
      .max(100)
      .optional()
      .describe('Prefixes of `bucket/key` of the object the article came from, e.g. `local/reuters/`'),
  })
  .strict()
  .refine((sources) => sources.publishers !== undefined || sources.prefixes !== undefined, {
    message: 'give publishers, prefixes or both',
  });

/**
 * What a subscription matches. Every constraint given must hold (AND); an article that lacks the data a
 * constraint needs (no sentiment, no publisher) does not match it.
 */
export const SubscriptionFilterV1Schema = z
  .object({
    version: z.literal(FILTER_VERSION).default(FILTER_VERSION),
    query: z
      .string()
      .max(QUERY_LIMITS.maxLength)
      .optional()
      .describe('Full text: words, "phrases", AND, OR, NOT (or -word) and parentheses'),
    keywords: z
      .array(z.string().trim().min(1).max(200))
      .min(1)
      .max(100)
      .optional()
      .describe('Any of these words or phrases (the older form of a query: "a" OR "b" ...)'),
    entities: EntitiesFilterSchema.optional(),
    languages: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^[a-z]{2,3}$/, 'must be an ISO 639 language code such as en'),
      )
      .min(1)
      .max(50)
      .optional()
      .describe('Detected language, any of these'),
    sentiment: SentimentRangeSchema.optional().describe(
      'Sentiment score range in [-1, 1], both ends inclusive',
    ),
    sources: SourcesFilterSchema.optional().describe('Any of these publishers or source prefixes'),
  })
  .strict()
  .superRefine((filter, context) => {
    if (filter.query !== undefined) {
      try {
        parseQuery(filter.query);
      } catch (error) {
        if (!(error instanceof QuerySyntaxError)) throw error;
        context.addIssue({
          code: 'custom',
          path: ['query'],
          message: error.message,
          params: { position: error.position, reason: error.reason },
        });
      }
    }
    filter.keywords?.forEach((keyword, index) => {
      if (tokenize(keyword).length === 0) {
        context.addIssue({ code: 'custom', path: ['keywords', index], message: 'has no letters or digits' });
      }
    });
    const constraints = [
      filter.query,
      filter.keywords,
      filter.entities,
      filter.languages,
      filter.sentiment,
      filter.sources,
    ];
    if (constraints.every((constraint) => constraint === undefined)) {
      context.addIssue({
        code: 'custom',
        path: [],
        message: 'needs at least one of query, keywords, entities, languages, sentiment, sources',
      });
    }
  });

/** What clients send (version optional). */
export type SubscriptionFilterInput = z.input<typeof SubscriptionFilterV1Schema>;
/** A validated filter, as stored. */
export type SubscriptionFilter = z.output<typeof SubscriptionFilterV1Schema>;
export type EntityRef = z.output<typeof EntityRefSchema>;

export interface FilterProblem {
  /** Where in the filter, dotted: `query`, `entities.items.0.id`, or empty for the filter as a whole. */
  path: string;
  reason: string;
  /** For query syntax errors: the 0-based character offset in the query. */
  position?: number;
}

export type FilterValidation =
  { ok: true; filter: SubscriptionFilter } | { ok: false; problems: FilterProblem[] };

/** Validates a filter from a client or from storage; problems name the field and, for queries, the position. */
export function validateSubscriptionFilter(input: unknown): FilterValidation {
  const result = SubscriptionFilterV1Schema.safeParse(input);
  if (result.success) return { ok: true, filter: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) => {
      const params = (issue as { params?: { position?: unknown; reason?: unknown } }).params;
      return {
        path: issue.path.map(String).join('.'),
        reason: typeof params?.reason === 'string' ? params.reason : issue.message,
        ...(typeof params?.position === 'number' ? { position: params.position } : {}),
      };
    }),
  };
}

/** The filter of an older client that only sent keywords. */
export function filterFromKeywords(keywords: readonly string[]): SubscriptionFilter {
  return { version: FILTER_VERSION, keywords: [...keywords] };
}

/** The filter as an OpenAPI 3.0 schema, for the API documentation (what clients may send). */
export function subscriptionFilterOpenApiSchema(): Record<string, unknown> {
  return z.toJSONSchema(SubscriptionFilterV1Schema, { target: 'openapi-3.0', io: 'input' }) as Record<
    string,
    unknown
  >;
}
