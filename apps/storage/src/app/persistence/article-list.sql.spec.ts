import { RELEVANCE_WINDOW, articleListSql, filterPredicates, SqlParameters } from './article-list.sql';
import { unnestInsert } from './unnest-insert';

describe('unnestInsert', () => {
  it('binds one array per column whatever the number of rows', () => {
    const rows = Array.from({ length: 70_000 }, (_, index) => ({ id: `${index}`, score: index / 2 }));
    const statement = unnestInsert(
      'storage.t',
      [
        { name: 'id', type: 'text', value: (row: (typeof rows)[number]) => row.id },
        { name: 'score', type: 'double precision', value: (row: (typeof rows)[number]) => row.score },
      ],
      rows,
      'ON CONFLICT DO NOTHING',
    );
    expect(statement.sql).toBe(
      'INSERT INTO storage.t (id, score) SELECT * FROM unnest($1::text[], $2::double precision[]) AS u(id, score) ON CONFLICT DO NOTHING',
    );
    expect(statement.parameters).toHaveLength(2);
    expect((statement.parameters[0] as string[]).slice(0, 3)).toEqual(['0', '1', '2']);
    expect((statement.parameters[1] as number[])[69_999]).toBe(34_999.5);
  });
});

describe('article list SQL', () => {
  it('binds each filter value once and never splices values into the SQL', () => {
    const evil = "x'; DROP TABLE storage.articles; --";
    const { sql, parameters } = articleListSql({
      filter: {
        text: evil,
        entities: { references: [{ name: evil }, { id: 'a'.repeat(32) }], match: 'any', type: 'PERSON' },
        language: evil,
        sourcePrefix: evil,
        publisher: evil,
        collapseDuplicates: true,
      },
      sort: 'newest',
      limit: 21,
    });
    expect(sql).not.toContain('DROP TABLE');
    expect(parameters.filter((value) => value === evil)).toHaveLength(3);
    expect(parameters).toContainEqual([evil]);
  });

  it('escapes LIKE wildcards of the source prefix', () => {
    const parameters = new SqlParameters();
    filterPredicates({ sourcePrefix: 'local/50%_off\\' }, parameters);
    expect(parameters.values).toEqual(['local/50\\%\\_off\\\\%']);
  });

  it('dates: from at UTC midnight, to up to (not including) the next midnight', () => {
    const parameters = new SqlParameters();
    const predicates = filterPredicates(
      { publishedFrom: '2024-02-28', publishedTo: '2024-02-29' },
      parameters,
    );
    expect(predicates.map((predicate) => predicate('a'))).toEqual([
      'a.published_at >= $1::timestamptz',
      'a.published_at < $2::timestamptz',
    ]);
    expect(parameters.values).toEqual(['2024-02-28T00:00:00Z', '2024-03-01T00:00:00.000Z']);
  });

  it('entityMatch=all needs every entity: one condition per entity', () => {
    const count = (match: 'any' | 'all') =>
      filterPredicates(
        { entities: { references: [{ name: 'A' }, { name: 'B' }, { id: 'c'.repeat(32) }], match } },
        new SqlParameters(),
      ).length;
    expect(count('any')).toBe(1);
    expect(count('all')).toBe(3);
  });

  it('resolved entity ids are compared as a literal list, one condition per group', () => {
    const parameters = new SqlParameters();
    const predicates = filterPredicates(
      {
        entities: {
          references: [{ name: 'A' }, { name: 'B' }],
          match: 'all',
          resolvedIds: [['a'.repeat(32), 'b'.repeat(32)], []],
        },
      },
      parameters,
    );
    expect(predicates.map((predicate) => predicate('a'))).toEqual([
      expect.stringMatching(/ae\.article_id = a\.id AND ae\.entity_id = ANY\(\$1::text\[\]\)/),
      expect.stringMatching(/ae\.entity_id = ANY\(\$2::text\[\]\)/),
    ]);
    expect(parameters.values).toEqual([['a'.repeat(32), 'b'.repeat(32)], []]);
  });

  it("one entity: its links are read newest first, joined to their articles, keyset on the links' keys", () => {
    const id = 'a'.repeat(32);
    const after = { publishedAt: new Date('2022-02-22T00:00:00Z'), id: 'f'.repeat(32) };
    const { sql, parameters } = articleListSql({
      filter: {
        text: 'vote',
        entities: { references: [{ name: 'A' }], match: 'any', resolvedIds: [[id]] },
        collapseDuplicates: true,
      },
      sort: 'newest',
      after,
      limit: 11,
    });
    expect(sql).toContain('FROM storage.article_entities k JOIN storage.articles a ON a.id = k.article_id');
    expect(sql).toMatch(/k\.entity_id = \(\$\d+::text\[\]\)\[1\]/);
    expect(sql).toContain('ORDER BY k.published_at DESC, k.article_id DESC');
    expect(sql).toMatch(/\(k\.published_at, k\.article_id\) < \(\$\d+::timestamptz, \$\d+\)/);
    // The join stands for the entity condition on `a`; the story's other articles are checked for it.
    expect(sql).not.toMatch(/ae\.article_id = a\.id/);
    expect(sql).toMatch(/ae\.article_id = b\.id AND ae\.entity_id = ANY/);
    expect(parameters.filter((value) => value === 'vote')).toHaveLength(1);

    // Several ids in a group (a name of two types): an article could be joined twice, so no join.
    const twoIds = articleListSql({
      filter: {
        entities: { references: [{ name: 'A' }], match: 'any', resolvedIds: [[id, 'b'.repeat(32)]] },
      },
      sort: 'newest',
      limit: 11,
    });
    expect(twoIds.sql).toContain('FROM storage.articles a');
    expect(twoIds.sql).toMatch(/ae\.article_id = a\.id AND ae\.entity_id = ANY/);
  });

  it('collapsing duplicates applies the same filter to the other articles of the story', () => {
    const { sql } = articleListSql({
      filter: { language: 'en', collapseDuplicates: true },
      sort: 'newest',
      limit: 11,
    });
    expect(sql).toContain('a.language = $1');
    expect(sql).toContain('b.language = $1');
    expect(sql).toMatch(/NOT EXISTS \(SELECT 1 FROM storage\.articles b WHERE b\.story_id = a\.story_id/);
  });

  it('keyset: after the position, in the order of the sort', () => {
    const after = { publishedAt: new Date('2022-02-22T00:00:00Z'), id: 'f'.repeat(32), rank: 0.5 };
    const newest = articleListSql({ filter: {}, sort: 'newest', after, limit: 11 });
    expect(newest.sql).toContain('(a.published_at, a.id) < ($1::timestamptz, $2)');
    expect(newest.sql).toContain('ORDER BY a.published_at DESC, a.id DESC');
    const window = {
      ceiling: { publishedAt: new Date('2022-03-01T00:00:00Z'), id: 'c'.repeat(32) },
      floor: { publishedAt: new Date('2022-01-01T00:00:00Z'), id: '0'.repeat(32) },
    };
    const relevance = articleListSql({
      filter: { text: 'vote' },
      sort: 'relevance',
      after: { ...after, window },
      limit: 11,
    });
    expect(relevance.sql).toMatch(/\(ts_rank\(a\.search, .*\), a\.published_at, a\.id\) < \(\$\d+::real, /);
    expect(relevance.sql).toContain('ORDER BY rank DESC, a.published_at DESC, a.id DESC');
    expect(relevance.parameters).toContain(0.5);
    expect(() => articleListSql({ filter: {}, sort: 'relevance', limit: 11 })).toThrow(/text query/);
    expect(() => articleListSql({ filter: { text: 'vote' }, sort: 'relevance', after, limit: 11 })).toThrow(
      /window/,
    );
  });

  it('relevance within a window: only the matches between its ceiling and its floor are ranked', () => {
    const window = {
      ceiling: { publishedAt: new Date('2022-03-01T00:00:00Z'), id: 'c'.repeat(32) },
      floor: { publishedAt: new Date('2022-01-01T00:00:00Z'), id: '0'.repeat(32) },
    };
    const after = { publishedAt: new Date('2022-02-22T00:00:00Z'), id: 'f'.repeat(32), rank: 0.5, window };
    const { sql, parameters } = articleListSql({
      filter: { text: 'vote' },
      sort: 'relevance',
      after,
      limit: 11,
    });
    expect(sql).toMatch(/\(a\.published_at, a\.id\) < \(\$\d+::timestamptz, \$\d+\)/);
    expect(sql).toMatch(/\(a\.published_at, a\.id\) >= \(\$\d+::timestamptz, \$\d+\)/);
    expect(parameters).toEqual(
      expect.arrayContaining([
        '2022-03-01T00:00:00.000Z',
        'c'.repeat(32),
        '2022-01-01T00:00:00.000Z',
        '0'.repeat(32),
      ]),
    );
    // The last window (no floor) and the first one (no ceiling) are open at that end.
    const last = articleListSql({
      filter: { text: 'vote' },
      sort: 'relevance',
      after: { ...after, window: { ceiling: window.ceiling, floor: null } },
      limit: 11,
    });
    expect(last.sql).not.toContain('>=');
  });

  it('a first relevance page opens a window of the newest matches, of the given size', () => {
    const { sql, parameters } = articleListSql({
      filter: { text: 'vote' },
      sort: 'relevance',
      limit: 21,
      relevanceWindow: 250,
    });
    expect(sql).toMatch(/ORDER BY a\.published_at DESC, a\.id DESC\s+LIMIT \$\d+::integer/);
    expect(sql).toContain('ORDER BY rank DESC, a.published_at DESC, a.id DESC');
    expect(parameters).toContain(250);
    expect(parameters).toContain(21);
    expect(articleListSql({ filter: { text: 'vote' }, sort: 'relevance', limit: 21 }).parameters).toContain(
      RELEVANCE_WINDOW,
    );
  });
});
