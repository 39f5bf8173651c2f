import { BadRequestException } from '@nestjs/common';

import { validatedQuery } from '../testing/validated-query';
import { ListArticlesQuery } from './article.dto';
import { articleListRequest, entityReference } from './article-list-request';

/** Parses a query string the way the service does, then turns it into filter and sort. */
async function parse(query: Record<string, string | string[]>) {
  return articleListRequest(await validatedQuery(ListArticlesQuery, query));
}

async function badRequest(query: Record<string, string | string[]>): Promise<string> {
  try {
    await parse(query);
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestException);
    const response = (error as BadRequestException).getResponse() as { message: string | string[] };
    return ([] as string[]).concat(response.message).join('\n');
  }
  throw new Error(`accepted ${JSON.stringify(query)}`);
}

describe('GET /api/articles query parameters', () => {
  it('defaults: newest first, 20 items, nothing filtered, duplicates not collapsed', async () => {
    const query = await validatedQuery(ListArticlesQuery, {});
    expect(query).toMatchObject({ limit: 20, entityMatch: 'any', collapseDuplicates: false, sort: 'newest' });
    expect(await parse({})).toEqual({
      sort: 'newest',
      filter: {
        text: undefined,
        entities: undefined,
        language: undefined,
        publishedFrom: undefined,
        publishedTo: undefined,
        sentimentMin: undefined,
        sentimentMax: undefined,
        sourcePrefix: undefined,
        publisher: undefined,
        collapseDuplicates: false,
      },
    });
  });

  it('turns query-string text into typed values', async () => {
    const { filter, sort } = await parse({
      limit: '5',
      q: '"Vladimir Putin" -football',
      entity: ['Vladimir Putin', 'c'.repeat(32)],
      entityMatch: 'all',
      type: 'PERSON',
      language: 'en',
      from: '2024-02-29',
      to: '2024-03-01',
      sentimentMin: '-0.5',
      sentimentMax: '0',
      source: 'local/reuters/',
      publisher: 'Reuters',
      collapseDuplicates: 'true',
      sort: 'relevance',
    });
    expect(sort).toBe('relevance');
    expect(filter).toEqual({
      text: '"Vladimir Putin" -football',
      entities: {
        references: [{ name: 'Vladimir Putin' }, { id: 'c'.repeat(32) }],
        match: 'all',
        type: 'PERSON',
      },
      language: 'en',
      publishedFrom: '2024-02-29',
      publishedTo: '2024-03-01',
      sentimentMin: -0.5,
      sentimentMax: 0,
      sourcePrefix: 'local/reuters/',
      publisher: 'Reuters',
      collapseDuplicates: true,
    });
  });

  it('a single entity is a list of one; collapseDuplicates=false is false', async () => {
    const { filter } = await parse({ entity: 'Kyiv', collapseDuplicates: 'false' });
    expect(filter.entities?.references).toEqual([{ name: 'Kyiv' }]);
    expect(filter.collapseDuplicates).toBe(false);
  });

  it('32 lowercase hex characters are an entity id, anything else a name', () => {
    expect(entityReference('0123456789abcdef0123456789abcdef')).toEqual({
      id: '0123456789abcdef0123456789abcdef',
    });
    expect(entityReference('0123456789ABCDEF0123456789ABCDEF')).toEqual({
      name: '0123456789ABCDEF0123456789ABCDEF',
    });
    expect(entityReference('G7')).toEqual({ name: 'G7' });
  });

  it.each<[Record<string, string | string[]>, RegExp]>([
    [{ limit: '0' }, /^limit /m],
    [{ limit: '' }, /^limit /m],
    [{ sentimentMin: '' }, /^sentimentMin /m],
    [{ sentimentMin: '-1.5' }, /^sentimentMin /m],
    [{ sentimentMax: 'Infinity' }, /^sentimentMax /m],
    [{ sentimentMin: '0.2', sentimentMax: '0.1' }, /^sentimentMin: /],
    [{ from: '2023-02-29' }, /^from must be a calendar date/m],
    [{ to: '2022-02-22T00:00:00Z' }, /^to must be a calendar date/m],
    [{ from: '2022-02-23', to: '2022-02-22' }, /^from: must not be after to/],
    [{ entity: [] as string[] }, /^entity /m],
    [{ entity: 'x'.repeat(201) }, /entity must be/m],
    [{ entity: 'Kyiv', entityMatch: 'none' }, /^entityMatch /m],
    [{ type: 'LOCATION' }, /^type: .*needs entity/],
    [{ language: 'english' }, /^language /m],
    [{ q: 'x'.repeat(501) }, /^q /m],
    [{ sort: 'relevance' }, /^sort: .*needs q/],
    [{ collapseDuplicates: '1' }, /^collapseDuplicates /m],
    [{ source: 'x'.repeat(1025) }, /^source /m],
    [{ page: '2' }, /property page should not exist/],
  ])('refuses %j with a message naming the parameter', async (query, message) => {
    expect(await badRequest(query)).toMatch(message);
  });
});
