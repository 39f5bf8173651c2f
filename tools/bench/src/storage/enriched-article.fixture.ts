/** A small, valid enriched article for the unit tests of the storage benchmark. */
import { createHash } from 'node:crypto';

import { type ArticleEnrichedV1, type EnrichmentV1 } from '@newsflow/contracts';

export function enrichedArticle(
  lede: string,
  text: string,
  enrichment: Partial<EnrichmentV1> = {},
  publishedAt = '1987-03-02',
): ArticleEnrichedV1 {
  const contentHash = createHash('sha256').update(`${publishedAt}\n${lede}\n\n${text}`).digest('hex');
  const id = contentHash.slice(0, 32);
  const wordCount = `${lede} ${text}`.split(/\s+/).length;
  return {
    article: {
      id,
      contentHash,
      publishedAt,
      lede,
      paragraphs: text.split('\n\n'),
      text,
      wordCount,
      source: {
        bucket: 'bench-storage',
        key: `reuters/000/${id}.txt`,
        sizeBytes: 100,
        byteStart: 0,
        byteEnd: 100,
      },
      parserVersion: '1',
      firstSeenAt: '2026-11-26T10:00:00.000Z',
      ingestedAt: '2026-11-26T10:00:00.000Z',
      publisher: 'Reuters',
    },
    enrichment: {
      enrichmentVersion: 2,
      language: { code: 'en', confidence: 0.9 },
      wordCount,
      readingTimeSeconds: 1,
      enrichedAt: '2026-11-26T10:00:01.000Z',
      ...enrichment,
    },
  };
}
