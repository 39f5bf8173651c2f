import { ArticleEntity } from '../persistence/article.entity';
import { ArticleDto } from './article.dto';

function entity(overrides: Partial<ArticleEntity> = {}): ArticleEntity {
  return Object.assign(new ArticleEntity(), {
    id: '3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f',
    contentHash: '3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f'.repeat(2),
    publishedAt: new Date('2022-02-22T00:00:00.000Z'),
    lede: 'A lede.',
    paragraphs: ['First paragraph.', 'Second paragraph.'],
    text: 'First paragraph.\n\nSecond paragraph.',
    wordCount: 6,
    source: { bucket: 'local', key: 'news/a.txt', sizeBytes: 123 },
    parserVersion: '1',
    firstSeenAt: new Date('2022-02-23T10:00:00.000Z'),
    ingestedAt: new Date('2022-02-23T10:00:01.500Z'),
    title: null,
    url: null,
    author: null,
    publisher: null,
    declaredLanguage: null,
    storyId: '3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f',
    sentimentScore: null,
    sentimentPositive: null,
    sentimentNegative: null,
    summary: null,
    simhash: null,
    notifiedAt: null,
    language: null,
    languageConfidence: null,
    readingTimeSeconds: null,
    enrichmentVersion: null,
    enrichedAt: null,
    enrichment: null,
    storedAt: new Date('2022-02-23T10:00:02.000Z'),
    updatedAt: new Date('2022-02-23T10:00:02.000Z'),
    ...overrides,
  });
}

describe('ArticleDto.from', () => {
  it('maps an article that is not enriched yet: publication date as YYYY-MM-DD, language and enrichment null', () => {
    expect(ArticleDto.from(entity())).toEqual({
      id: '3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f',
      publishedAt: '2022-02-22',
      title: null,
      lede: 'A lede.',
      paragraphs: ['First paragraph.', 'Second paragraph.'],
      text: 'First paragraph.\n\nSecond paragraph.',
      wordCount: 6,
      url: null,
      author: null,
      publisher: null,
      source: { bucket: 'local', key: 'news/a.txt', sizeBytes: 123 },
      contentHash: '3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f'.repeat(2),
      language: null,
      readingTimeSeconds: null,
      sentiment: null,
      summary: null,
      storyId: '3f1c0b9e2d4a4c5b8e7f6a1b2c3d4e5f',
      enrichmentVersion: null,
      firstSeenAt: '2022-02-23T10:00:00.000Z',
      ingestedAt: '2022-02-23T10:00:01.500Z',
      storedAt: '2022-02-23T10:00:02.000Z',
      enrichedAt: null,
      notifiedAt: null,
    });
  });

  it('uses the UTC calendar date of publishedAt (dates are stored as UTC midnight)', () => {
    expect(ArticleDto.from(entity({ publishedAt: new Date('1999-12-31T00:00:00Z') })).publishedAt).toBe(
      '1999-12-31',
    );
    expect(ArticleDto.from(entity({ publishedAt: new Date('2024-02-29T00:00:00Z') })).publishedAt).toBe(
      '2024-02-29',
    );
  });

  it('maps an enriched article: language with confidence, reading time, version and enrichedAt', () => {
    const dto = ArticleDto.from(
      entity({
        language: 'en',
        languageConfidence: 0.93,
        readingTimeSeconds: 42,
        enrichmentVersion: 2,
        enrichedAt: new Date('2022-02-23T10:00:03.000Z'),
      }),
    );
    expect(dto.language).toEqual({ code: 'en', confidence: 0.93 });
    expect(dto.readingTimeSeconds).toBe(42);
    expect(dto.enrichmentVersion).toBe(2);
    expect(dto.enrichedAt).toBe('2022-02-23T10:00:03.000Z');
  });

  it('maps ingest metadata, sentiment, summary, story and notification time', () => {
    const dto = ArticleDto.from(
      entity({
        title: 'Headline',
        url: 'https://example.com/a',
        author: 'A. Writer',
        publisher: 'Example News',
        sentimentScore: -0.25,
        sentimentPositive: 0.1,
        sentimentNegative: 0.35,
        summary: 'Two sentences.',
        storyId: 'a'.repeat(32),
        notifiedAt: new Date('2022-02-23T10:00:04.000Z'),
      }),
    );
    expect(dto).toMatchObject({
      title: 'Headline',
      url: 'https://example.com/a',
      author: 'A. Writer',
      publisher: 'Example News',
      sentiment: { score: -0.25, positive: 0.1, negative: 0.35 },
      summary: 'Two sentences.',
      storyId: 'a'.repeat(32),
      notifiedAt: '2022-02-23T10:00:04.000Z',
    });
  });

  it('does not leak internal columns (parserVersion, raw enrichment, updatedAt, sentiment parts)', () => {
    const dto = ArticleDto.from(entity());
    expect(dto).not.toHaveProperty('parserVersion');
    expect(dto).not.toHaveProperty('sentimentScore');
    expect(dto).not.toHaveProperty('enrichment');
    expect(dto).not.toHaveProperty('updatedAt');
  });
});
