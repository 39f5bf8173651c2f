/**
 * Fakes for the unit specs of the consumer runtime: Kafka messages as kafkajs hands them over, a
 * publisher that records dead letters and a logger that records its lines. Not exported from the
 * library index.
 */
import { type KafkaMessage } from 'kafkajs';

import { type ArticleIngestedV1, headerString, newEventMetadata, toHeaders } from '@newsflow/contracts';

import { type RuntimeLogger } from '../lib/logger';
import { type EventPublisher, type RawMessage } from '../lib/publisher';

import { sampleIngestedArticle } from './kafka-testing';

/** A Kafka message carrying a valid ingested article (or `value` as it is), at `offset`. */
export function articleMessage(
  offset: number | string,
  value: ArticleIngestedV1 | string = sampleIngestedArticle(),
): KafkaMessage {
  const key = typeof value === 'string' ? `raw-${offset}` : value.id;
  return {
    key: Buffer.from(key),
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    offset: String(offset),
    timestamp: '0',
    attributes: 0,
    headers: toHeaders(newEventMetadata({ type: 'dev.newsflow.article.ingested.v1', source: '/unit-test' })),
  };
}

export interface SentDeadLetter {
  topic: string;
  key: string | null;
  headers: Record<string, string | undefined>;
}

/**
 * A publisher that records what would go to the dead-letter and retry topics (raw sends); nothing else
 * is called.
 */
export function recordingPublisher(): { publisher: EventPublisher; sent: SentDeadLetter[] } {
  const sent: SentDeadLetter[] = [];
  const record = (topic: string, message: RawMessage) => {
    const headers: Record<string, string | undefined> = {};
    for (const name of Object.keys(message.headers)) headers[name] = headerString(message.headers, name);
    sent.push({ topic, key: message.key === null ? null : message.key.toString(), headers });
  };
  const publisher = {
    publishRaw: async (topic: string, message: RawMessage) => record(topic, message),
    publishRawMany: async (topic: string, messages: readonly RawMessage[]) => {
      for (const message of messages) record(topic, message);
    },
  } as unknown as EventPublisher;
  return { publisher, sent };
}

export interface LoggedLine {
  level: string;
  context: Record<string, unknown>;
  message: string;
}

/** A logger that keeps every line it is given, in order. */
export function recordingLogger(): { logger: RuntimeLogger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: string) =>
    (context: object, message: string): void => {
      lines.push({ level, context: context as Record<string, unknown>, message });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}
