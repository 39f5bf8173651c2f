import { type ArticleEnrichedV1, type Entity } from '@newsflow/contracts';

export interface ArticleSpec {
  id?: string;
  title?: string;
  lede?: string;
  text: string;
  language?: string;
  sentiment?: number;
  publisher?: string;
  source?: { bucket: string; key: string };
  entities?: Pick<Entity, 'name' | 'type' | 'salience'>[];
}

/** An enriched event with the given fields and plausible values for the rest. */
export function enrichedEvent(spec: ArticleSpec): ArticleEnrichedV1 {
  return {
    article: {
      id: spec.id ?? '0123456789abcdef0123456789abcdef',
      contentHash: '0'.repeat(64),
      publishedAt: '2022-02-22',
      lede: spec.lede ?? 'A lede',
      paragraphs: [spec.text],
      text: spec.text,
      wordCount: spec.text.split(/\s+/).length,
      ...(spec.title === undefined ? {} : { title: spec.title }),
      ...(spec.publisher === undefined ? {} : { publisher: spec.publisher }),
      source: { ...(spec.source ?? { bucket: 'local', key: 'a.txt' }), sizeBytes: spec.text.length },
      parserVersion: 'text/1.0.0',
      firstSeenAt: '2026-01-01T00:00:00.000Z',
      ingestedAt: '2026-01-01T00:00:00.000Z',
    },
    enrichment: {
      enrichmentVersion: 2,
      language: { code: spec.language ?? 'en', confidence: 0.9 },
      wordCount: 10,
      readingTimeSeconds: 3,
      enrichedAt: '2026-01-01T00:00:01.000Z',
      entities: (spec.entities ?? []).map((entity) => ({ ...entity, mentions: 1, offsets: [] })),
      ...(spec.sentiment === undefined
        ? {}
        : { sentiment: { score: spec.sentiment, positive: 0, negative: 0 } }),
    },
  };
}
