import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';

import {
  type ArticleEnrichedV1,
  type ArticleIngestedV1,
  ArticleIngestedV1Schema,
  DeadLetterHeader,
  Topic,
  headerString,
} from '@newsflow/contracts';

import { eventually, freePort, requiredEnv, runId } from './support/environment';
import { ServiceProcess } from './support/service-process';

const SAMPLE = path.join(__dirname, 'fixtures', 'donbass-recognition-2022-02-22.txt');
const DEADLINE_MS = 200;

function ingested(text: string, key: string): ArticleIngestedV1 {
  const contentHash = createHash('sha256').update(text).digest('hex');
  const paragraphs = text.split(/\n\s*\n/).filter((p) => p.trim().length > 0);
  return ArticleIngestedV1Schema.parse({
    id: contentHash.slice(0, 32),
    contentHash,
    publishedAt: '2022-02-22',
    lede: 'The decision was passed unanimously by MPs',
    paragraphs,
    text,
    wordCount: text.split(/\s+/).length,
    source: { bucket: 'e2e', key, etag: `"${contentHash.slice(0, 8)}"`, sizeBytes: Buffer.byteLength(text) },
    parserVersion: 'e2e',
    firstSeenAt: new Date().toISOString(),
    ingestedAt: new Date().toISOString(),
  });
}

interface Seen {
  enriched: Map<string, ArticleEnrichedV1>;
  deadLetters: Map<string, Record<string, string | undefined>>;
}

/**
 * The enrichment service built from dist, with a short deadline: an article that takes too long is
 * dead-lettered with its reason, and the article behind it on the same partition is still enriched.
 */
describe('enrichment deadline', () => {
  const run = runId();
  const brokers = requiredEnv('KAFKA_BROKERS').split(',');
  const databaseUrl = new URL(requiredEnv('DATABASE_URL'));
  databaseUrl.pathname = `/newsflow_e2e_deadline_${run}`;
  const kafka = new Kafka({ clientId: `e2e-deadline-${run}`, brokers, logLevel: logLevel.NOTHING });
  const seen: Seen = { enriched: new Map(), deadLetters: new Map() };
  let enrichment: ServiceProcess;
  let observer: Consumer;

  beforeAll(async () => {
    observer = kafka.consumer({ groupId: `e2e-deadline-${run}-observer` });
    await observer.connect();
    await observer.subscribe({ topics: [Topic.ArticleEnrichedV1, Topic.DeadLetterV1], fromBeginning: false });
    await observer.run({
      eachMessage: async ({ topic, message }) => {
        const key = message.key?.toString('utf8') ?? '';
        if (topic === Topic.ArticleEnrichedV1) {
          seen.enriched.set(key, JSON.parse(message.value?.toString('utf8') ?? '{}') as ArticleEnrichedV1);
        } else {
          seen.deadLetters.set(key, {
            code: headerString(message.headers, DeadLetterHeader.ErrorCode),
            stage: headerString(message.headers, DeadLetterHeader.Stage),
            attempts: headerString(message.headers, DeadLetterHeader.Attempts),
            message: headerString(message.headers, DeadLetterHeader.ErrorMessage),
          });
        }
      },
    });
    enrichment = new ServiceProcess('enrichment', await freePort(), {
      KAFKA_BROKERS: brokers.join(','),
      DATABASE_URL: databaseUrl.toString(),
      KAFKA_GROUP_ID: `e2e-deadline-${run}`,
      KAFKA_AUTO_OFFSET_RESET: 'latest',
      ENRICH_TIMEOUT_MS: String(DEADLINE_MS),
    });
    enrichment.start();
    await enrichment.waitUntilReady();
  }, 120_000);

  afterAll(async () => {
    await enrichment?.stop().catch(() => undefined);
    await observer?.disconnect();
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const client = new Client({ connectionString: admin.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${databaseUrl.pathname.slice(1)}" WITH (FORCE)`);
    await client.end();
  }, 60_000);

  it('dead-letters an article past the deadline and enriches the one behind it', async () => {
    const body = (await readFile(SAMPLE, 'utf8')).split('\n').slice(1).join('\n').trim();
    // About 420 KB of text (the event, which carries it twice, stays under Kafka's 1 MB message limit):
    // about half a second of analysis on a quiet machine, more than twice the deadline.
    const huge = Array.from({ length: Math.ceil(420_000 / body.length) }, (_, i) => `${body} (${i})`).join(
      '\n\n',
    );
    const slow = ingested(huge, `huge-${run}.txt`);
    const normal = ingested(body, `normal-${run}.txt`);

    // Give the consumer its partitions before producing (it starts at the end of the topic).
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const producer = kafka.producer();
    await producer.connect();
    try {
      // Same partition, slow one first: the normal article must not wait behind it for long.
      await producer.send({
        topic: Topic.ArticleIngestedV1,
        messages: [slow, normal].map((article) => ({
          key: article.id,
          value: JSON.stringify(article),
          partition: 0,
        })),
      });
    } finally {
      await producer.disconnect();
    }

    const deadLetter = await eventually('the slow article in the dead-letter topic', async () =>
      seen.deadLetters.get(slow.id),
    );
    expect(deadLetter.code).toBe('ENRICHMENT_TIMEOUT');
    expect(deadLetter.stage).toBe('enrichment');
    expect(deadLetter.message).toContain(`${DEADLINE_MS} ms`);
    const enriched = await eventually('the normal article to be enriched', async () =>
      seen.enriched.get(normal.id),
    );
    expect(enriched.enrichment.entities?.map((e) => e.name)).toContain('Vladimir Putin');
    expect(seen.enriched.has(slow.id)).toBe(false);

    // The timed-out worker was replaced: the service is ready again.
    const health = await fetch(`${enrichment.baseUrl}/health`);
    expect(health.status).toBe(200);
    const report = (await health.json()) as {
      info: { enrichmentWorkers?: { status: string; readyWorkers: number; replacedWorkers: number } };
    };
    expect(report.info.enrichmentWorkers).toMatchObject({
      status: 'up',
      readyWorkers: 1,
      replacedWorkers: 1,
    });
  }, 120_000);
});
