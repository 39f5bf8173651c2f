/**
 * The storage HTTP API as clients see it, on a real Postgres (DATABASE_URL): the controllers behind the
 * same global ValidationPipe as the service, over HTTP on 127.0.0.1, with the OpenAPI document.
 * Covers the 400s (each names its parameter), 404, GET /api/entities and GET /api/stats.
 */
import { type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

import { ArticlesController } from './articles/articles.controller';
import { addDays, toCalendarDate } from './common/calendar-date';
import { EntitiesController } from './entities/entities.controller';
import { ArticleQueryRepository } from './persistence/article-query.repository';
import { ArticleRepository } from './persistence/article.repository';
import { entityId } from './persistence/article-rows';
import { InsightsRepository } from './persistence/insights.repository';
import { StatsController } from './stats/stats.controller';
import { type StorageTestDatabase, openStorageTestDatabase } from './testing/storage-database';
import { enriched, entity, sampleArticle, sampleEnrichment } from './testing/storage-events';
import { validationPipe } from './testing/validated-query';

let db: StorageTestDatabase;
let app: INestApplication;
let baseUrl: string;

beforeAll(async () => {
  db = await openStorageTestDatabase('storage_api');
  @Module({
    controllers: [ArticlesController, EntitiesController, StatsController],
    providers: [
      { provide: ArticleRepository, useValue: db.articles },
      { provide: ArticleQueryRepository, useValue: db.queries },
      { provide: InsightsRepository, useValue: db.insights },
    ],
  })
  class StorageApiTestModule {}
  app = await NestFactory.create(StorageApiTestModule, { logger: false });
  app.useGlobalPipes(validationPipe());
  const document = SwaggerModule.createDocument(app, new DocumentBuilder().setTitle('storage').build());
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  baseUrl = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await app?.close();
  await db?.close();
});

async function get<T = unknown>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${baseUrl}${path}`);
  return { status: response.status, body: (await response.json()) as T };
}

describe('bad parameters get 400 with a message naming the parameter', () => {
  const elevenEntities = Array.from({ length: 11 }, (_, index) => `entity=E${index}`).join('&');

  it.each<[string, string]>([
    ['/api/articles?limit=0', 'limit'],
    ['/api/articles?limit=101', 'limit'],
    ['/api/articles?limit=ten', 'limit'],
    ['/api/articles?limit=', 'limit'],
    ['/api/articles?limit=1&limit=2', 'limit'],
    ['/api/articles?cursor=not-a-cursor', 'cursor'],
    ['/api/articles?q=', 'q'],
    ['/api/articles?q=the%20of', 'q'],
    ['/api/articles?q=a&q=b', 'q'],
    ['/api/articles?entity=', 'entity'],
    [`/api/articles?${elevenEntities}`, 'entity'],
    ['/api/articles?entity=Putin&entityMatch=most', 'entityMatch'],
    ['/api/articles?entity=Putin&type=ANIMAL', 'type'],
    ['/api/articles?type=PERSON', 'type'],
    ['/api/articles?language=EN', 'language'],
    ['/api/articles?from=2022-02-30', 'from'],
    ['/api/articles?to=yesterday', 'to'],
    ['/api/articles?from=2022-03-01&to=2022-02-01', 'from'],
    ['/api/articles?sentimentMin=2', 'sentimentMin'],
    ['/api/articles?sentimentMax=low', 'sentimentMax'],
    ['/api/articles?sentimentMin=0.5&sentimentMax=0', 'sentimentMin'],
    ['/api/articles?source=', 'source'],
    ['/api/articles?collapseDuplicates=yes', 'collapseDuplicates'],
    ['/api/articles?sort=oldest', 'sort'],
    ['/api/articles?sort=relevance', 'sort'],
    ['/api/articles?unknown=1', 'unknown'],
    ['/api/articles/not-an-id', 'id'],
    ['/api/entities?from=2022-1-1', 'from'],
    ['/api/entities?to=2022-02-29', 'to'],
    ['/api/entities?type=PLACE', 'type'],
    ['/api/entities?limit=1000', 'limit'],
    ['/api/entities?from=2020-01-01&to=2022-01-01', 'from'],
    ['/api/entities?from=2022-02-02&to=2022-02-01', 'from'],
    ['/api/stats?to=2022-13-01', 'to'],
    ['/api/stats?from=2022-02-02&to=2022-02-01', 'from'],
    ['/api/stats?days=3', 'days'],
  ])('%s → 400 naming %s', async (path, parameter) => {
    const { status, body } = await get<{ message: string | string[] }>(path);
    expect(status).toBe(400);
    const messages = ([] as string[]).concat(body.message);
    expect(messages.some((message) => new RegExp(`\\b${parameter}\\b`).test(message))).toBe(true);
  });

  it('reports every bad parameter at once', async () => {
    const { status, body } = await get<{ message: string[] }>('/api/articles?limit=0&language=EN&sort=x');
    expect(status).toBe(400);
    expect(body.message.join('\n')).toMatch(/limit[\s\S]*language[\s\S]*sort|sort[\s\S]*limit/);
  });
});

describe('articles over HTTP', () => {
  it('unknown ids get 404', async () => {
    const { status, body } = await get<{ message: string }>(`/api/articles/${'0'.repeat(32)}`);
    expect(status).toBe(404);
    expect(body.message).toMatch(/no article/);
  });

  it('serves a filtered page and the article with its details', async () => {
    await db.truncate();
    const article = sampleArticle({ lede: 'Parliament votes on the budget', text: 'The vote passed.' });
    await db.articles.saveEnrichedBatch([
      enriched(article, sampleEnrichment(2, { entities: [entity('Parliament', 'ORGANIZATION')] })),
    ]);
    const page = await get<{ items: { id: string }[]; nextCursor: string | null }>(
      '/api/articles?q=vote&entity=parliament&type=ORGANIZATION&collapseDuplicates=true&limit=5',
    );
    expect(page).toEqual({
      status: 200,
      body: { items: [expect.objectContaining({ id: article.id })], nextCursor: null },
    });
    const detail = await get<{ entities: { id: string }[] }>(`/api/articles/${article.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.entities.map((item) => item.id)).toEqual([entityId('ORGANIZATION', 'Parliament')]);
  });
});

describe('GET /api/entities', () => {
  beforeAll(async () => {
    await db.truncate();
    const kyivPlace = { countryCode: 'UA', lat: 50.45466, lon: 30.5238, featureType: 'PPLC' };
    const on = (publishedAt: string, ...entities: ReturnType<typeof entity>[]) =>
      enriched(sampleArticle({ publishedAt }), sampleEnrichment(2, { entities }));
    const putin = (mentions: number) => entity('Vladimir Putin', 'PERSON', { mentions });
    const kyiv = (mentions: number) => entity('Kyiv', 'LOCATION', { mentions, place: kyivPlace });
    await db.articles.saveEnrichedBatch([
      // The window 2022-02-16 .. 2022-02-22.
      on('2022-02-16', putin(2), kyiv(2)),
      on('2022-02-20', putin(3), entity('New Person', 'PERSON', { mentions: 5 })),
      on('2022-02-22', putin(1)),
      // The previous window, 2022-02-09 .. 2022-02-15.
      on('2022-02-15', putin(3), kyiv(2)),
      on('2022-02-09', kyiv(2)),
      // Outside both.
      on('2022-02-08', putin(10), kyiv(10)),
      on('2022-02-23', putin(10), kyiv(10)),
    ]);
  });

  it('ranks entities by mentions in the window, with the previous window and the trend', async () => {
    const { status, body } = await get('/api/entities?from=2022-02-16&to=2022-02-22');
    expect(status).toBe(200);
    expect(body).toEqual({
      from: '2022-02-16',
      to: '2022-02-22',
      previousFrom: '2022-02-09',
      previousTo: '2022-02-15',
      items: [
        {
          id: entityId('PERSON', 'Vladimir Putin'),
          name: 'Vladimir Putin',
          type: 'PERSON',
          place: null,
          articles: 3,
          mentions: 6,
          previous: { articles: 1, mentions: 3 },
          trend: 'up',
          change: 1,
        },
        {
          id: entityId('PERSON', 'New Person'),
          name: 'New Person',
          type: 'PERSON',
          place: null,
          articles: 1,
          mentions: 5,
          previous: { articles: 0, mentions: 0 },
          trend: 'new',
          change: null,
        },
        {
          id: entityId('LOCATION', 'Kyiv'),
          name: 'Kyiv',
          type: 'LOCATION',
          place: { countryCode: 'UA', lat: 50.45466, lon: 30.5238, featureType: 'PPLC' },
          articles: 1,
          mentions: 2,
          previous: { articles: 2, mentions: 4 },
          trend: 'down',
          change: -0.5,
        },
      ],
    });
  });

  it('filters by type and limits the list', async () => {
    const persons = await get<{ items: { name: string }[] }>(
      '/api/entities?from=2022-02-16&to=2022-02-22&type=PERSON',
    );
    expect(persons.body.items.map((item) => item.name)).toEqual(['Vladimir Putin', 'New Person']);
    const top = await get<{ items: { name: string }[] }>(
      '/api/entities?from=2022-02-16&to=2022-02-22&limit=1',
    );
    expect(top.body.items.map((item) => item.name)).toEqual(['Vladimir Putin']);
  });

  it('defaults to the last 7 days, compared with the 7 before', async () => {
    const today = toCalendarDate(new Date());
    const { status, body } = await get('/api/entities');
    expect(status).toBe(200);
    expect(body).toEqual({
      from: addDays(today, -6),
      to: today,
      previousFrom: addDays(today, -13),
      previousTo: addDays(today, -7),
      items: [],
    });
  });
});

describe('GET /api/stats', () => {
  it('counts articles per stage per UTC day, every day of the window, and the enrichment backlog', async () => {
    await db.truncate();
    const [{ today }] = (await db.dataSource.query(
      `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS today`,
    )) as [{ today: string }];
    const yesterday = addDays(today, -1);
    const twoDaysAgo = addDays(today, -2);
    const at = (day: string, time: string) => `${day}T${time}Z`;

    const notifiedToday = sampleArticle({ ingestedAt: at(yesterday, '23:59:59.999') });
    const waiting = sampleArticle({ ingestedAt: at(today, '00:00:00.000') });
    const enrichedYesterday = sampleArticle({ ingestedAt: at(twoDaysAgo, '12:00:00.000') });
    await db.articles.saveIngestedBatch([waiting]);
    await db.articles.saveEnrichedBatch([
      enriched(notifiedToday, sampleEnrichment(2, { enrichedAt: at(today, '00:00:01.000') })),
      enriched(enrichedYesterday, sampleEnrichment(2, { enrichedAt: at(yesterday, '08:00:00.000') })),
    ]);
    await db.articles.markNotified([{ articleId: notifiedToday.id, notifiedAt: at(today, '00:00:02.000') }]);

    const { status, body } = await get<{
      from: string;
      to: string;
      days: unknown[];
      waitingForEnrichment: { articles: number; oldestStoredAt: string | null };
    }>(`/api/stats?from=${addDays(today, -3)}&to=${today}`);
    expect(status).toBe(200);
    expect(body.days).toEqual([
      { date: addDays(today, -3), ingested: 0, stored: 0, enriched: 0, notified: 0 },
      { date: twoDaysAgo, ingested: 1, stored: 0, enriched: 0, notified: 0 },
      { date: yesterday, ingested: 1, stored: 0, enriched: 1, notified: 0 },
      { date: today, ingested: 1, stored: 3, enriched: 1, notified: 1 },
    ]);
    expect(body.waitingForEnrichment.articles).toBe(1);
    expect(body.waitingForEnrichment.oldestStoredAt?.slice(0, 10)).toBe(today);

    const defaults = await get<{ from: string; to: string; days: { date: string }[] }>('/api/stats');
    expect(defaults.body.days).toHaveLength(14);
    expect(defaults.body.to).toBe(toCalendarDate(new Date()));
    expect(defaults.body.days.at(-1)?.date).toBe(defaults.body.to);
  });
});

describe('OpenAPI document', () => {
  it('describes every endpoint and every query parameter of GET /api/articles', async () => {
    const { status, body } = await get<{
      paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
    }>('/api/docs-json');
    expect(status).toBe(200);
    expect(Object.keys(body.paths).sort()).toEqual(
      ['/api/articles', '/api/articles/{id}', '/api/entities', '/api/stats'].sort(),
    );
    const parameters = body.paths['/api/articles']?.get?.parameters?.map((parameter) => parameter.name) ?? [];
    expect(parameters.sort()).toEqual(
      [
        'limit',
        'cursor',
        'q',
        'entity',
        'entityMatch',
        'type',
        'language',
        'from',
        'to',
        'sentimentMin',
        'sentimentMax',
        'source',
        'publisher',
        'collapseDuplicates',
        'sort',
      ].sort(),
    );
    const docs = await fetch(`${baseUrl}/api/docs`);
    expect(docs.status).toBe(200);
  });
});
