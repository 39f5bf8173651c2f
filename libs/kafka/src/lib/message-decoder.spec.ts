import { type KafkaMessage } from 'kafkajs';

import { CloudEventHeader, Topic, newEventMetadata, toHeaders } from '@newsflow/contracts';

import { sampleIngestedArticle } from '../testing/kafka-testing';

import { PermanentError } from './errors';
import { decodeMessage } from './message-decoder';

function message(
  value: string | null,
  overrides: Partial<Pick<KafkaMessage, 'key' | 'headers'>> = {},
): KafkaMessage {
  return {
    key: Buffer.from('the-key'),
    value: value === null ? null : Buffer.from(value),
    offset: '17',
    timestamp: '0',
    attributes: 0,
    headers: {},
    ...overrides,
  };
}

const heartbeat = async () => undefined;

describe('decodeMessage', () => {
  it('gives the typed event: payload, key, offset, metadata from the headers, attempt and heartbeat', () => {
    const article = sampleIngestedArticle();
    const metadata = newEventMetadata({ type: 'dev.newsflow.article.ingested.v1', source: '/test' });
    const event = decodeMessage({
      contractTopic: Topic.ArticleIngestedV1,
      partition: 3,
      message: message(JSON.stringify(article), { headers: toHeaders(metadata) }),
      attempt: 2,
      heartbeat,
    });
    expect(event).toEqual({
      topic: Topic.ArticleIngestedV1,
      partition: 3,
      offset: '17',
      key: 'the-key',
      payload: article,
      metadata: { ...metadata, causationId: undefined },
      attempt: 2,
      heartbeat,
    });
  });

  it('keeps a null key as null', () => {
    const event = decodeMessage({
      contractTopic: Topic.ArticleIngestedV1,
      partition: 0,
      message: message(JSON.stringify(sampleIngestedArticle()), { key: null }),
      attempt: 1,
      heartbeat,
    });
    expect(event.key).toBeNull();
    // Without CloudEvents headers the event still gets an id (and is its own correlation).
    expect(event.metadata.id).toEqual(event.metadata.correlationId);
  });

  it('fails with MALFORMED_JSON for a value that is not JSON, or no value at all', () => {
    for (const value of ['{"id": "no', null]) {
      const decode = () =>
        decodeMessage({
          contractTopic: Topic.ArticleIngestedV1,
          partition: 0,
          message: message(value, { headers: { [CloudEventHeader.Id]: 'x' } }),
          attempt: 1,
          heartbeat,
        });
      expect(decode).toThrow(PermanentError);
      expect(decode).toThrow(/not JSON/);
      try {
        decode();
      } catch (error) {
        expect(error).toMatchObject({ code: 'MALFORMED_JSON', retryable: false });
      }
    }
  });

  it('fails with VALIDATION_FAILED naming the fields that break the contract', () => {
    const invalid = { ...sampleIngestedArticle(), id: 'NOT-AN-ID', paragraphs: [] };
    let thrown: unknown;
    try {
      decodeMessage({
        contractTopic: Topic.ArticleIngestedV1,
        partition: 0,
        message: message(JSON.stringify(invalid)),
        attempt: 1,
        heartbeat,
      });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'VALIDATION_FAILED', retryable: false });
    expect((thrown as Error).message).toMatch(/news\.articles\.ingested\.v1/);
    expect((thrown as Error).message).toMatch(/id: /);
    expect((thrown as Error).message).toMatch(/paragraphs/);
  });
});
