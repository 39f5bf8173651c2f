import { createHash } from 'node:crypto';

import { ArticleEnrichedV1Schema } from '@newsflow/contracts';

import { enrichedArticle } from './enriched-article.fixture';
import { ARTICLES, EntityCollector, childRowsOf, entityId } from './table-rows';

const KYIV = { countryCode: 'UA', lat: 50.45, lon: 30.52, featureType: 'PPLC' };

describe('entityId', () => {
  it('is the md5 of type and canonical name, as storage and its migration compute it', () => {
    expect(entityId('PERSON', 'Vladimir Putin')).toBe(
      createHash('md5').update('PERSON:Vladimir Putin').digest('hex'),
    );
    expect(entityId('PERSON', 'Kyiv')).not.toBe(entityId('LOCATION', 'Kyiv'));
  });
});

describe('childRowsOf', () => {
  const item = enrichedArticle('Talks in Kyiv', 'Putin and Zelensky met in Kyiv. Putin left.', {
    entities: [
      {
        name: 'Vladimir Putin',
        type: 'PERSON',
        mentions: 2,
        salience: 0.8,
        offsets: [[0, 5]],
        aliases: ['Putin'],
      },
      { name: 'Kyiv', type: 'LOCATION', mentions: 1, salience: 0.4, offsets: [[28, 32]], place: KYIV },
      { name: 'Vladimir Putin', type: 'PERSON', mentions: 1, salience: 0.1, offsets: [[37, 42]] },
    ],
    keywords: [
      { text: 'talks', score: 2 },
      { text: 'kyiv', score: 1 },
    ],
    quotes: [{ text: 'We met', speaker: 'Vladimir Putin', offsets: [0, 6] }],
    amounts: [{ text: '5 pct', value: 5, unit: 'percent', offsets: [1, 6] }],
    nearDuplicate: { of: 'a'.repeat(32), distance: 3, storyId: 'b'.repeat(32) },
  });

  it('is built from a valid event', () => {
    expect(ArticleEnrichedV1Schema.safeParse(item).success).toBe(true);
  });

  it('links an entity listed twice once, with its first entry', () => {
    const rows = childRowsOf(item);
    expect(rows.links.map((link) => [link.entityId, link.mentions, link.aliases])).toEqual([
      [entityId('PERSON', 'Vladimir Putin'), 2, ['Putin']],
      [entityId('LOCATION', 'Kyiv'), 1, []],
    ]);
  });

  it('numbers keywords, quotes and amounts in order and keeps the near-duplicate link', () => {
    const rows = childRowsOf(item);
    expect(rows.keywords.map((keyword) => [keyword.position, keyword.text])).toEqual([
      [0, 'talks'],
      [1, 'kyiv'],
    ]);
    expect(rows.quotes).toEqual([
      {
        articleId: item.article.id,
        position: 0,
        text: 'We met',
        speaker: 'Vladimir Putin',
        start: 0,
        end: 6,
      },
    ]);
    expect(rows.amounts[0]).toMatchObject({ value: 5, unit: 'percent', object: null, start: 1, end: 6 });
    expect(rows.nearDuplicates).toEqual([
      { articleId: item.article.id, duplicateOf: 'a'.repeat(32), distance: 3, storyId: 'b'.repeat(32) },
    ]);
  });

  it('puts the article in its story, and in a story of its own without a near-duplicate', () => {
    const storyId = ARTICLES.columns.find((column) => column.name === 'story_id');
    expect(storyId?.value(item)).toBe('b'.repeat(32));
    const alone = enrichedArticle('Alone', 'Nothing like it.');
    expect(storyId?.value(alone)).toBe(alone.article.id);
    const publishedAt = ARTICLES.columns.find((column) => column.name === 'published_at');
    expect(publishedAt?.value(alone)).toBe('1987-03-02T00:00:00Z');
  });
});

describe('EntityCollector', () => {
  it('keeps entities distinct, in order of first appearance, with the first place seen', () => {
    const collector = new EntityCollector();
    const kyiv = { id: entityId('LOCATION', 'Kyiv'), type: 'LOCATION' as const, canonicalName: 'Kyiv' };
    const nato = {
      id: entityId('ORGANIZATION', 'NATO'),
      type: 'ORGANIZATION' as const,
      canonicalName: 'NATO',
    };
    collector.add([
      { ...kyiv, place: null },
      { ...nato, place: null },
    ]);
    collector.add([{ ...kyiv, place: KYIV }]);
    collector.add([{ ...kyiv, place: { ...KYIV, featureType: 'PPL' } }]);
    expect(collector.size).toBe(2);
    expect(collector.rows()).toEqual([
      { ...kyiv, place: KYIV },
      { ...nato, place: null },
    ]);
  });
});
