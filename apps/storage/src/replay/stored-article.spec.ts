import { Topic } from '@newsflow/contracts';

import { richEnrichment } from '../app/testing/storage-events';
import {
  type StoredArticleRow,
  enrichedArticleOf,
  ingestedArticleOf,
  isoInstant,
  replayItemOf,
} from './stored-article';

const row = (overrides: Partial<StoredArticleRow> = {}): StoredArticleRow => ({
  id: '0123456789abcdef0123456789abcdef',
  content_hash: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  position: '2022-02-22T00:00:00.000000Z',
  lede: 'The decision was passed unanimously by MPs',
  paragraphs: ['Russian lawmakers have voted.', 'In a session held on Tuesday.'],
  body: 'Russian lawmakers have voted.\n\nIn a session held on Tuesday.',
  word_count: 19,
  source: { bucket: 'local', key: 'donbass.txt', etag: '"e1"', sizeBytes: 321 },
  parser_version: '1.2.0',
  first_seen_at: '2022-02-23T08:00:00.123000Z',
  ingested_at: '2022-02-23T08:00:01.456000Z',
  title: null,
  url: null,
  author: null,
  publisher: null,
  declared_language: null,
  ...overrides,
});

describe('isoInstant', () => {
  it('gives millisecond timestamps the form Date.toISOString() gives, and keeps real microseconds', () => {
    expect(isoInstant('2022-02-23T08:00:01.456000Z')).toBe('2022-02-23T08:00:01.456Z');
    expect(isoInstant('2022-02-23T08:00:01.000000Z')).toBe(new Date('2022-02-23T08:00:01Z').toISOString());
    expect(isoInstant('2022-02-23T08:00:01.456789Z')).toBe('2022-02-23T08:00:01.456789Z');
  });
});

describe('ingestedArticleOf', () => {
  it('rebuilds the ingested article, leaving absent optional fields out', () => {
    const article = ingestedArticleOf(row());
    expect(article).toStrictEqual({
      id: '0123456789abcdef0123456789abcdef',
      contentHash: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
      publishedAt: '2022-02-22',
      lede: 'The decision was passed unanimously by MPs',
      paragraphs: ['Russian lawmakers have voted.', 'In a session held on Tuesday.'],
      text: 'Russian lawmakers have voted.\n\nIn a session held on Tuesday.',
      wordCount: 19,
      source: { bucket: 'local', key: 'donbass.txt', etag: '"e1"', sizeBytes: 321 },
      parserVersion: '1.2.0',
      firstSeenAt: '2022-02-23T08:00:00.123Z',
      ingestedAt: '2022-02-23T08:00:01.456Z',
    });
    expect(Object.keys(article)).not.toContain('title');
  });

  it('carries the optional fields that were given', () => {
    expect(
      ingestedArticleOf(
        row({ title: 'T', url: 'https://x.test/a', author: 'A', publisher: 'P', declared_language: 'en' }),
      ),
    ).toMatchObject({
      title: 'T',
      url: 'https://x.test/a',
      author: 'A',
      publisher: 'P',
      declaredLanguage: 'en',
    });
  });
});

describe('replayItemOf', () => {
  it('passes the stored enrichment on as it is, fields this version does not know included', () => {
    const enrichment = { ...richEnrichment(), addedByANewerContract: { x: 1 } };
    const item = replayItemOf(Topic.ArticleEnrichedV1, row({ enrichment }));
    expect(item).toEqual({
      ok: true,
      id: row().id,
      payload: { article: ingestedArticleOf(row()), enrichment },
    });
    if (item.ok) expect(item.payload.enrichment).toBe(enrichment);
  });

  it('reports what a payload that no longer fits the contract gets wrong', () => {
    const item = replayItemOf(Topic.ArticleIngestedV1, row({ paragraphs: [], content_hash: 'short' }));
    expect(item).toMatchObject({ ok: false, id: row().id });
    if (item.ok) return;
    expect(item.problems).toContain('contentHash:');
    expect(item.problems).toContain('paragraphs:');
  });

  it('checks the enrichment too for enriched replays', () => {
    const item = replayItemOf(
      Topic.ArticleEnrichedV1,
      row({ enrichment: { ...richEnrichment(), enrichmentVersion: 0 } }),
    );
    expect(item).toMatchObject({ ok: false });
    if (!item.ok) expect(item.problems).toContain('enrichment.enrichmentVersion:');
  });

  it('refuses to build an enriched event from a row without enrichment', () => {
    expect(() => enrichedArticleOf(row({ enrichment: null }))).toThrow(/no stored enrichment/);
  });
});
