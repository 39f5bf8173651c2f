import { parse } from 'yaml';

import { ALL_TOPICS, Topic, TopicContracts } from '@newsflow/contracts';

import {
  HEADER_COMMENT,
  buildAsyncApiDocument,
  channelIdOf,
  describeDrift,
  operationIdOf,
  renderAsyncApiYaml,
  sendingServices,
  topicName,
} from './build-asyncapi';

describe('buildAsyncApiDocument', () => {
  const document = buildAsyncApiDocument();

  it('is an AsyncAPI 3.0.0 document with one Kafka server', () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.info).toMatchObject({ title: 'Newsflow events', version: '1.0.0' });
    expect(document.defaultContentType).toBe('application/json');
    expect(document.servers).toEqual({
      local: expect.objectContaining({ host: '127.0.0.1:9092', protocol: 'kafka' }),
    });
  });

  it('emits one channel per topic, in ALL_TOPICS order, addressed by the topic name', () => {
    expect(Object.values(document.channels).map((channel) => channel.address)).toEqual([...ALL_TOPICS]);
    expect(Object.keys(document.channels)).toEqual(ALL_TOPICS.map(channelIdOf));
  });

  it('names channels, messages and operations after the Topic constants', () => {
    expect(topicName(Topic.ArticleIngestedV1)).toBe('ArticleIngestedV1');
    expect(channelIdOf(Topic.ArticleIngestedV1)).toBe('articleIngestedV1');
    expect(operationIdOf('ingestion', 'send', Topic.ArticleIngestedV1)).toBe(
      'ingestion.sendArticleIngestedV1',
    );
  });

  it('emits a send operation per producing service and a receive operation per consumer', () => {
    const expected = ALL_TOPICS.flatMap((topic) => [
      ...sendingServices(TopicContracts[topic]).map((service) => operationIdOf(service, 'send', topic)),
      ...TopicContracts[topic].consumers.map((service) => operationIdOf(service, 'receive', topic)),
    ]);
    expect(Object.keys(document.operations)).toEqual(expected);
    expect(Object.keys(document.operations)).toEqual(
      expect.arrayContaining([
        'ingestion.sendArticleIngestedV1',
        'enrichment.receiveArticleIngestedV1',
        'storage.receiveArticleIngestedV1',
        'enrichment.sendArticleEnrichedV1',
        'notification.receiveArticleEnrichedV1',
      ]),
    );
    for (const [id, operation] of Object.entries(document.operations)) {
      const channelId = operation.channel.$ref.replace('#/channels/', '');
      expect(document.channels[channelId]).toBeDefined();
      expect(operation.messages).toEqual([{ $ref: `#/channels/${channelId}/messages/${channelId}` }]);
      expect(id.startsWith(`${operation['x-service']}.${operation.action}`)).toBe(true);
    }
  });

  it('spells out `any consumer` as every service that consumes a topic', () => {
    expect(sendingServices(TopicContracts[Topic.DeadLetterV1])).toEqual([
      'enrichment',
      'storage',
      'notification',
    ]);
    expect(document.channels[channelIdOf(Topic.DeadLetterV1)]?.['x-producers']).toEqual(['any consumer']);
  });

  it('fixes ce_type to the eventType, except on dead letters (they keep the original headers)', () => {
    const headers = (topic: Topic) => document.components.schemas[`${topicName(topic)}Headers`];
    expect(headers(Topic.ArticleIngestedV1)).toMatchObject({
      properties: { ce_type: { const: 'dev.newsflow.article.ingested.v1' } },
      required: expect.arrayContaining(['ce_id', 'ce_type', 'traceparent']),
    });
    expect(headers(Topic.ArticleIngestedV1)?.['required']).not.toContain('ce_causationid');
    expect(headers(Topic.DeadLetterV1)?.['properties']).not.toHaveProperty('ce_type.const');
    expect(headers(Topic.DeadLetterV1)?.['required']).toEqual(
      expect.arrayContaining(['dlq_original_topic', 'dlq_error_code']),
    );
  });

  it('refers to the ingested payload from the enriched one instead of repeating it', () => {
    expect(document.components.schemas['ArticleEnrichedV1']).toMatchObject({
      properties: { article: { $ref: '#/components/schemas/ArticleIngestedV1' } },
    });
  });
});

describe('renderAsyncApiYaml', () => {
  it('is deterministic and round-trips to the document', () => {
    const yaml = renderAsyncApiYaml();
    expect(renderAsyncApiYaml()).toBe(yaml);
    expect(yaml.startsWith(`#${HEADER_COMMENT}\n`)).toBe(true);
    expect(parse(yaml)).toEqual(JSON.parse(JSON.stringify(buildAsyncApiDocument())));
  });

  it('writes shared objects out instead of as YAML aliases', () => {
    expect(renderAsyncApiYaml()).not.toMatch(/^\s*[^#\n]*[&*]a\d+\b/m);
  });
});

describe('describeDrift', () => {
  it('is undefined when the file is current, and names the first difference and the fix otherwise', () => {
    expect(describeDrift('a\nb\n', 'a\nb\n')).toBeUndefined();
    const drift = describeDrift('a\nold\n', 'a\nnew\n');
    expect(drift).toContain('line 2');
    expect(drift).toContain('file:      old');
    expect(drift).toContain('generated: new');
    expect(drift).toContain('npm run docs:asyncapi');
    expect(describeDrift(undefined, 'a\n')).toContain('does not exist');
  });
});
