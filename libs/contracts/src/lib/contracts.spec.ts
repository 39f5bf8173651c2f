import { ArticleIngestedV1Schema } from './events/article-ingested';
import { childTraceParent, fromHeaders, newEventMetadata, toHeaders, traceIdOf } from './headers';
import { TopicContracts } from './registry';
import { ALL_TOPICS, Topic, isTopic } from './topics';

const validArticle = {
  id: '0123456789abcdef0123456789abcdef',
  contentHash: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  publishedAt: '2022-02-22',
  lede: 'The decision was passed unanimously by MPs',
  paragraphs: ['Russian lawmakers have voted.'],
  text: 'Russian lawmakers have voted.',
  wordCount: 11,
  source: { bucket: 'local', key: 'a.txt', sizeBytes: 120 },
  parserVersion: 'text/1.0.0',
  firstSeenAt: '2026-01-01T00:00:00.000Z',
  ingestedAt: '2026-01-01T00:00:00.100Z',
};

describe('topic contracts', () => {
  it('describes every topic exactly once, under its own name', () => {
    expect(Object.keys(TopicContracts).sort()).toEqual([...ALL_TOPICS].sort());
    for (const topic of ALL_TOPICS) expect(TopicContracts[topic].topic).toBe(topic);
  });

  it('names topics with a version suffix', () => {
    for (const topic of ALL_TOPICS) expect(topic).toMatch(/^news\.[a-z.]+\.v\d+$/);
    expect(isTopic('news.articles.ingested.v1')).toBe(true);
    expect(isTopic('news.articles.ingested')).toBe(false);
  });

  it('accepts a valid ingested article and ignores unknown fields (additive evolution)', () => {
    const parsed = ArticleIngestedV1Schema.parse({ ...validArticle, futureField: 1 });
    expect(parsed.id).toBe(validArticle.id);
  });

  it.each([
    ['id', { id: 'not-an-id' }],
    ['publishedAt', { publishedAt: '2022-02-30' }],
    ['paragraphs', { paragraphs: [] }],
    ['source', { source: { bucket: 'local' } }],
  ])('rejects an ingested article with a bad %s', (field, patch) => {
    const result = ArticleIngestedV1Schema.safeParse({ ...validArticle, ...patch });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path[0]).toBe(field);
  });

  it('uses distinct CloudEvents types', () => {
    const types = ALL_TOPICS.map((topic) => TopicContracts[topic].eventType);
    expect(new Set(types).size).toBe(types.length);
    expect(TopicContracts[Topic.ArticleIngestedV1].eventType).toContain('ingested');
  });
});

describe('event metadata headers', () => {
  it('round-trips through Kafka headers', () => {
    const metadata = newEventMetadata({ type: 't', source: '/newsflow/test' });
    const headers = Object.fromEntries(
      Object.entries(toHeaders(metadata)).map(([k, v]) => [k, Buffer.from(v)]),
    );
    expect(fromHeaders(headers)).toEqual({ ...metadata, causationId: undefined });
  });

  it('chains correlation, causation and trace ids from the cause', () => {
    const first = newEventMetadata({ type: 'a', source: 's' });
    const second = newEventMetadata({ type: 'b', source: 's', cause: first });
    expect(second.correlationId).toBe(first.id);
    expect(second.causationId).toBe(first.id);
    expect(traceIdOf(second.traceParent)).toBe(traceIdOf(first.traceParent));
    expect(second.traceParent).not.toBe(first.traceParent);
  });

  it('starts a new trace when the parent traceparent is malformed', () => {
    const child = childTraceParent('garbage');
    expect(child).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
