import { type KafkaMessage } from 'kafkajs';

import { ArticleIdSchema, CloudEventHeader, headerString, traceIdOf } from '@newsflow/contracts';

import { type RuntimeLogger } from './logger';

/** What ties a log line to an article and to its trace across services (the W3C trace id). */
export interface ArticleLogFields {
  articleId?: string;
  traceId?: string;
}

/**
 * From a message as read: the article topics are keyed by article id (news.articles.*, and
 * news.notifications.v1), so a key shaped like one is one; other keys (`bucket/key` of a rejection)
 * are left out. The trace id comes from the `traceparent` header.
 */
export function messageLogFields(message: Pick<KafkaMessage, 'key' | 'headers'>): ArticleLogFields {
  const key = message.key?.toString('utf8');
  const traceId = traceIdOf(headerString(message.headers, CloudEventHeader.TraceParent));
  return withoutUndefined({
    articleId: key !== undefined && ArticleIdSchema.safeParse(key).success ? key : undefined,
    traceId,
  });
}

/** A logger whose every line carries `fields` (what pino's child bindings do, for any RuntimeLogger). */
export function loggerWithFields(logger: RuntimeLogger, fields: object): RuntimeLogger {
  if (Object.keys(fields).length === 0) return logger;
  return {
    debug: (context, message) => logger.debug({ ...fields, ...context }, message),
    info: (context, message) => logger.info({ ...fields, ...context }, message),
    warn: (context, message) => logger.warn({ ...fields, ...context }, message),
    error: (context, message) => logger.error({ ...fields, ...context }, message),
  };
}

function withoutUndefined(fields: ArticleLogFields): ArticleLogFields {
  const defined: ArticleLogFields = {};
  if (fields.articleId !== undefined) defined.articleId = fields.articleId;
  if (fields.traceId !== undefined) defined.traceId = fields.traceId;
  return defined;
}
