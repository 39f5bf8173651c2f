import { createHash } from 'node:crypto';

import { enriched, entity, richEnrichment, sampleArticle, sampleEnrichment } from '../testing/storage-events';
import {
  ENRICHED_ARTICLE_COLUMNS,
  ENRICHMENT_COLUMN_NAMES,
  INGESTED_ARTICLE_COLUMNS,
  childRowsOf,
  entityId,
  firstPerArticle,
  latestPerArticle,
} from './article-rows';

describe('entityId', () => {
  it("is md5(type || ':' || name) in hex, as the migration's backfill computes it in SQL", () => {
    expect(entityId('PERSON', 'Vladimir Putin')).toBe(
      createHash('md5').update('PERSON:Vladimir Putin').digest('hex'),
    );
    // Computed by Postgres 15: SELECT md5('LOCATION:Kyiv'), md5('MISC:Zürich') (UTF-8 database).
    expect(entityId('LOCATION', 'Kyiv')).toBe('b2d1019fb31dd6f99f90d86dfeea4e59');
    expect(entityId('MISC', 'Zürich')).toBe('a0a3315faec81046978da45eae79103a');
  });

  it('tells types apart and is case-sensitive (canonical names are kept as the enricher wrote them)', () => {
    expect(entityId('PERSON', 'Georgia')).not.toBe(entityId('LOCATION', 'Georgia'));
    expect(entityId('LOCATION', 'Georgia')).not.toBe(entityId('LOCATION', 'georgia'));
    expect(entityId('LOCATION', 'Georgia')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('one row per article in a batch', () => {
  it('ingested: the first occurrence wins, sorted by id', () => {
    const first = sampleArticle();
    const replay = { ...first, lede: 'Changed lede.' };
    const other = sampleArticle();
    const rows = firstPerArticle([first, other, replay]);
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.id === first.id)?.lede).toBe(first.lede);
    expect(rows.map((row) => row.id)).toEqual([first.id, other.id].sort());
  });

  it('enriched: the newest version wins; of equal versions the later one', () => {
    const article = sampleArticle();
    const v1 = enriched(article, sampleEnrichment(1));
    const v2 = enriched(article, sampleEnrichment(2));
    const v2Corrected = enriched(article, sampleEnrichment(2, { summary: 'Corrected.' }));
    expect(latestPerArticle([v2, v1])).toEqual([v2]);
    expect(latestPerArticle([v1, v2])).toEqual([v2]);
    expect(latestPerArticle([v2, v1, v2Corrected])).toEqual([v2Corrected]);
  });
});

describe('columns', () => {
  it('an enriched row has every ingested column plus the enrichment columns, which are what an update replaces', () => {
    const ingested = INGESTED_ARTICLE_COLUMNS.map((column) => column.name);
    const enrichedColumns = ENRICHED_ARTICLE_COLUMNS.map((column) => column.name);
    expect(new Set(enrichedColumns).size).toBe(enrichedColumns.length);
    expect(enrichedColumns).toEqual(expect.arrayContaining(ingested));
    expect(ENRICHMENT_COLUMN_NAMES).toEqual(
      enrichedColumns.filter((name) => !ingested.includes(name) || name === 'story_id'),
    );
    expect(ENRICHMENT_COLUMN_NAMES).not.toContain('lede');
    expect(ENRICHMENT_COLUMN_NAMES).toContain('story_id');
  });

  it('story_id: the article itself until an enrichment names the story', () => {
    const article = sampleArticle();
    const storyColumn = (columns: typeof ENRICHED_ARTICLE_COLUMNS) =>
      columns.find((column) => column.name === 'story_id');
    expect(INGESTED_ARTICLE_COLUMNS.find((column) => column.name === 'story_id')?.value(article)).toBe(
      article.id,
    );
    const story = 'b'.repeat(32);
    expect(
      storyColumn(ENRICHED_ARTICLE_COLUMNS)?.value(
        enriched(article, sampleEnrichment(2, { nearDuplicate: { of: story, distance: 1, storyId: story } })),
      ),
    ).toBe(story);
    expect(storyColumn(ENRICHED_ARTICLE_COLUMNS)?.value(enriched(article, sampleEnrichment(2)))).toBe(
      article.id,
    );
  });

  it('publication dates are stored as UTC midnight', () => {
    const article = sampleArticle({ publishedAt: '2024-02-29' });
    expect(INGESTED_ARTICLE_COLUMNS.find((column) => column.name === 'published_at')?.value(article)).toBe(
      '2024-02-29T00:00:00Z',
    );
  });
});

describe('childRowsOf', () => {
  it('turns an enrichment into rows of every child table, positions in the enrichment order', () => {
    const article = sampleArticle();
    const rows = childRowsOf([
      enriched(
        article,
        richEnrichment({ nearDuplicate: { of: 'a'.repeat(32), distance: 5, storyId: 'b'.repeat(32) } }),
      ),
    ]);
    expect(rows.links.map((link) => link.entityId)).toEqual([
      entityId('PERSON', 'Vladimir Putin'),
      entityId('LOCATION', 'Russia'),
      entityId('ORGANIZATION', 'Duma'),
    ]);
    expect(rows.links[0]).toMatchObject({
      articleId: article.id,
      mentions: 3,
      salience: 1,
      aliases: ['Putin'],
    });
    expect(rows.keywords.map((keyword) => [keyword.position, keyword.text])).toEqual([
      [0, 'independence'],
      [1, 'peacekeepers'],
    ]);
    expect(rows.quotes).toEqual([
      {
        articleId: article.id,
        position: 0,
        text: '“I deem it necessary”',
        speaker: 'Vladimir Putin',
        start: 10,
        end: 31,
      },
    ]);
    expect(rows.amounts[1]).toEqual({
      articleId: article.id,
      position: 1,
      text: '$1.5 billion',
      value: 1_500_000_000,
      unit: 'USD',
      object: null,
      start: 50,
      end: 62,
    });
    expect(rows.nearDuplicates).toEqual([
      { articleId: article.id, duplicateOf: 'a'.repeat(32), distance: 5, storyId: 'b'.repeat(32) },
    ]);
  });

  it('entities once per batch, sorted by id, with the first place seen; an entity listed twice in an article is linked once', () => {
    const kyiv = { countryCode: 'UA', lat: 50.45, lon: 30.52, featureType: 'PPLC' };
    const rows = childRowsOf([
      enriched(
        sampleArticle(),
        sampleEnrichment(2, {
          entities: [entity('Kyiv', 'LOCATION'), entity('Kyiv', 'LOCATION', { mentions: 9 })],
        }),
      ),
      enriched(
        sampleArticle(),
        sampleEnrichment(2, { entities: [entity('Kyiv', 'LOCATION', { place: kyiv })] }),
      ),
      enriched(
        sampleArticle(),
        sampleEnrichment(2, {
          entities: [entity('Kyiv', 'LOCATION', { place: { ...kyiv, lat: 0 } }), entity('Lviv', 'LOCATION')],
        }),
      ),
    ]);
    expect(rows.entities.map((row) => row.canonicalName).sort()).toEqual(['Kyiv', 'Lviv']);
    expect(rows.entities.map((row) => row.id)).toEqual([...rows.entities.map((row) => row.id)].sort());
    expect(rows.entities.find((row) => row.canonicalName === 'Kyiv')?.place).toEqual(kyiv);
    expect(rows.links).toHaveLength(4);
    expect(rows.links[0]?.mentions).toBe(2);
  });

  it('an enrichment without the optional fields has no child rows', () => {
    expect(childRowsOf([enriched(sampleArticle(), sampleEnrichment(1))])).toEqual({
      entities: [],
      links: [],
      keywords: [],
      quotes: [],
      amounts: [],
      nearDuplicates: [],
    });
  });
});
