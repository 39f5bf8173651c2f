/**
 * Events for storage tests and benchmarks: valid against the contract (every sample goes through the
 * zod schemas), unique unless told otherwise, with the enrichment fields the real enricher produces.
 */
import { createHash, randomBytes } from 'node:crypto';

import {
  type ArticleEnrichedV1,
  type ArticleIngestedV1,
  ArticleIngestedV1Schema,
  type Entity,
  type EnrichmentV1,
  EnrichmentV1Schema,
} from '@newsflow/contracts';

let sequence = 0;

export function sampleArticle(overrides: Partial<ArticleIngestedV1> = {}): ArticleIngestedV1 {
  sequence += 1;
  const body =
    overrides.text ?? `Paragraph ${sequence} ${randomBytes(8).toString('hex')}.\n\nSecond paragraph.`;
  const lede = overrides.lede ?? `Lede of article ${sequence}.`;
  const contentHash = createHash('sha256').update(`${lede}\n${body}`).digest('hex');
  return ArticleIngestedV1Schema.parse({
    id: contentHash.slice(0, 32),
    contentHash,
    publishedAt: '2022-02-22',
    lede,
    paragraphs: body.split('\n\n'),
    text: body,
    wordCount: body.split(/\s+/).length,
    source: {
      bucket: 'local',
      key: `news/${sequence}.txt`,
      etag: `"${sequence}"`,
      sizeBytes: 100 + sequence,
    },
    parserVersion: '1.0.0',
    firstSeenAt: '2022-02-23T10:00:00.123+02:00',
    ingestedAt: '2022-02-23T08:00:01.456Z',
    ...overrides,
  });
}

export const entity = (name: string, type: Entity['type'], overrides: Partial<Entity> = {}): Entity => ({
  name,
  type,
  mentions: 2,
  salience: 0.5,
  offsets: [
    [0, name.length],
    [100, 100 + name.length],
  ],
  ...overrides,
});

export function sampleEnrichment(version: number, overrides: Partial<EnrichmentV1> = {}): EnrichmentV1 {
  return EnrichmentV1Schema.parse({
    enrichmentVersion: version,
    language: { code: 'en', confidence: 0.99 },
    wordCount: 7,
    readingTimeSeconds: 10 * version,
    enrichedAt: `2022-02-23T08:00:0${version % 10}.000Z`,
    ...overrides,
  });
}

/** An enrichment with every optional field, as enrichment v2 produces for a news article. */
export function richEnrichment(overrides: Partial<EnrichmentV1> = {}): EnrichmentV1 {
  return sampleEnrichment(2, {
    entities: [
      entity('Vladimir Putin', 'PERSON', { mentions: 3, salience: 1, aliases: ['Putin'] }),
      entity('Russia', 'LOCATION', {
        mentions: 3,
        salience: 0.75,
        aliases: ['Russian Federation'],
        place: { countryCode: 'RU', lat: 60, lon: 100, featureType: 'country' },
      }),
      entity('Duma', 'ORGANIZATION', { mentions: 1, salience: 0.3333333333333333 }),
    ],
    keywords: [
      { text: 'independence', score: 0.42 },
      { text: 'peacekeepers', score: 0.1234567890123456 },
    ],
    sentiment: { score: -0.25, positive: 0.1, negative: 0.35 },
    quotes: [{ text: '“I deem it necessary”', speaker: 'Vladimir Putin', offsets: [10, 31] }],
    amounts: [
      { text: '399 MPs', value: 399, object: 'MPs', offsets: [40, 47] },
      { text: '$1.5 billion', value: 1_500_000_000, unit: 'USD', offsets: [50, 62] },
    ],
    dates: [{ text: 'Tuesday', date: '2022-02-22', offsets: [70, 77] }],
    summary: 'Russian lawmakers voted.',
    simhash: '0123456789abcdef',
    ...overrides,
  });
}

export const enriched = (article: ArticleIngestedV1, enrichment: EnrichmentV1): ArticleEnrichedV1 => ({
  article,
  enrichment,
});
