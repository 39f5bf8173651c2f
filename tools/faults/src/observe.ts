/**
 * What a scenario reads back: when the pipeline has gone quiet (every consumer group caught up, no
 * webhook pending, no inbox object unfinished, nothing changing), then the rows, the ledger and the
 * dead letters.
 */
import { type Admin, Kafka, logLevel } from 'kafkajs';

import { DeadLetterHeader, Topic } from '@newsflow/contracts';

import type { Stack } from './stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function kafkaFor(stack: Stack): Kafka {
  return new Kafka({ clientId: 'newsflow-faults', brokers: [stack.brokers], logLevel: logLevel.NOTHING });
}

/** Messages not yet committed, summed over every group on our broker and every topic it reads. */
async function totalLag(admin: Admin): Promise<number> {
  let lag = 0;
  const { groups } = await admin.listGroups();
  const highs = new Map<string, Map<number, number>>();
  for (const { groupId } of groups) {
    for (const { topic, partitions } of await admin.fetchOffsets({ groupId })) {
      let high = highs.get(topic);
      if (!high) {
        high = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
        highs.set(topic, high);
      }
      for (const { partition, offset } of partitions) {
        const committed = Number(offset);
        const end = high.get(partition) ?? 0;
        lag += committed < 0 ? end : Math.max(0, end - committed);
      }
    }
  }
  return lag;
}

interface Progress {
  stored: number;
  enriched: number;
  pendingDeliveries: number;
  unfinishedObjects: number;
  webhooks: number;
  lag: number;
}

async function progress(stack: Stack, admin: Admin): Promise<Progress> {
  const [articles] = await stack.query<{ stored: string; enriched: string }>(
    `SELECT count(*) AS stored, count(enrichment_version) AS enriched FROM storage.articles`,
  );
  const [deliveries] = await stack.query<{ pending: string }>(
    `SELECT count(*) AS pending FROM notification.deliveries WHERE status = 'pending'`,
  );
  const [objects] = await stack.query<{ unfinished: string }>(
    `SELECT count(*) AS unfinished FROM ingestion.objects WHERE status IN ('pending', 'processing')`,
  );
  return {
    stored: Number(articles?.stored),
    enriched: Number(articles?.enriched),
    pendingDeliveries: Number(deliveries?.pending),
    unfinishedObjects: Number(objects?.unfinished),
    webhooks: stack.receiver.received.length,
    lag: await totalLag(admin),
  };
}

/**
 * Waits until nothing is in flight and nothing has changed for `stableMs`; returns a problem when that
 * does not happen within the timeout.
 */
export async function waitUntilQuiet(
  stack: Stack,
  options: { timeoutMs: number; stableMs?: number; log?: (line: string) => void },
): Promise<string | undefined> {
  const stableMs = options.stableMs ?? 6_000;
  const admin = kafkaFor(stack).admin();
  const until = Date.now() + options.timeoutMs;
  let last = '';
  let since = Date.now();
  let lastLogged = 0;
  try {
    await admin.connect();
    for (;;) {
      let current: Progress | undefined;
      try {
        current = await progress(stack, admin);
      } catch {
        // the broker or the database is still recovering
      }
      const key = JSON.stringify(current);
      if (key !== last) {
        last = key;
        since = Date.now();
      }
      const idle =
        current !== undefined &&
        current.lag === 0 &&
        current.pendingDeliveries === 0 &&
        current.unfinishedObjects === 0;
      if (idle && Date.now() - since >= stableMs) return undefined;
      if (Date.now() - lastLogged > 15_000) {
        lastLogged = Date.now();
        options.log?.(`    waiting for quiet: ${key}`);
      }
      if (Date.now() > until) return `not quiet after ${options.timeoutMs / 1000} s: ${key}`;
      await sleep(1_000);
    }
  } finally {
    await admin.disconnect();
  }
}

export interface DeadLetterSummary {
  total: number;
  withoutContext: number;
  byCode: Record<string, number>;
}

/** Reads the whole dead-letter topic of our broker and checks each record's context headers. */
export async function readDeadLetters(stack: Stack): Promise<DeadLetterSummary> {
  const kafka = kafkaFor(stack);
  const admin = kafka.admin();
  await admin.connect();
  let expected = 0;
  try {
    const topics = await admin.listTopics();
    if (!topics.includes(Topic.DeadLetterV1)) return { total: 0, withoutContext: 0, byCode: {} };
    for (const p of await admin.fetchTopicOffsets(Topic.DeadLetterV1))
      expected += Number(p.high) - Number(p.low);
  } finally {
    await admin.disconnect();
  }
  const summary: DeadLetterSummary = { total: 0, withoutContext: 0, byCode: {} };
  if (expected === 0) return summary;
  const consumer = kafka.consumer({ groupId: `faults-dlq-reader-${Date.now()}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: Topic.DeadLetterV1, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message }) => {
          const header = (name: string) => message.headers?.[name]?.toString() ?? '';
          const code = header(DeadLetterHeader.ErrorCode);
          const context = [
            DeadLetterHeader.Stage,
            DeadLetterHeader.ConsumerGroup,
            DeadLetterHeader.OriginalTopic,
            DeadLetterHeader.OriginalOffset,
            DeadLetterHeader.ErrorCode,
            DeadLetterHeader.Attempts,
          ];
          if (context.some((name) => header(name) === '')) summary.withoutContext++;
          summary.byCode[code || '(none)'] = (summary.byCode[code || '(none)'] ?? 0) + 1;
          if (++summary.total >= expected) resolve();
          return Promise.resolve();
        },
      });
    });
    await Promise.race([done, sleep(60_000)]);
  } finally {
    await consumer.disconnect();
  }
  return summary;
}

/** Rejected inputs and their reason codes, from the ingestion ledger. */
export async function rejectionCodes(stack: Stack): Promise<Map<string, string>> {
  const rows = await stack.query<{ key: string; code: string | null }>(
    `SELECT key, rejection_code AS code FROM ingestion.objects WHERE status = 'rejected'`,
  );
  return new Map(rows.map((row) => [row.key, row.code ?? '']));
}

export async function storedRows(stack: Stack): Promise<{ id: string; enriched: boolean }[]> {
  return stack.query<{ id: string; enriched: boolean }>(
    `SELECT id, enrichment_version IS NOT NULL AS enriched FROM storage.articles`,
  );
}
