/**
 * Test support for the ingestion integration specs (`*.int-spec.ts`): what they need from the
 * environment, unique names, polling. Only tests import this folder.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

export type RequiredVariable =
  | 'KAFKA_BROKERS'
  | 'DATABASE_URL'
  | 'S3_ENDPOINT'
  | 'S3_REGION'
  | 'AWS_ACCESS_KEY_ID'
  | 'AWS_SECRET_ACCESS_KEY';

/**
 * The variables a suite needs, or an error naming every missing one. Suites call this at load time, so
 * a missing variable fails the suite loudly instead of skipping it (green without testing anything).
 */
export function requireEnv<N extends RequiredVariable>(names: readonly N[]): Record<N, string> {
  const missing = names.filter((name) => !process.env[name]?.trim());
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: the ingestion integration tests need ` +
        'a Kafka broker (KAFKA_BROKERS, e.g. 127.0.0.1:19092), Postgres (DATABASE_URL, e.g. ' +
        'postgres://postgres@127.0.0.1:5432/newsflow_test) and an S3-compatible endpoint (S3_ENDPOINT, S3_REGION, ' +
        'AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). `npm test` starts Kafka and S3Proxy and sets them all; to run ' +
        'a suite alone, start S3Proxy with startS3Proxy() from tools/dev/lib/s3proxy.mjs and export its values, ' +
        'then `npx nx build ingestion` and `npx jest -c jest.integration.config.ts apps/ingestion --runInBand`.',
    );
  }
  return Object.fromEntries(names.map((name) => [name, process.env[name]?.trim() ?? ''])) as Record<
    N,
    string
  >;
}

/** Eight hex characters: bucket names, database names, group ids, file names of one run. */
export const runId = (): string => randomBytes(4).toString('hex');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Polls until `probe` returns a value (not undefined) or the time is up; the error says what was awaited. */
export async function eventually<T>(
  description: string | (() => string | Promise<string>),
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const what = typeof description === 'function' ? await description() : description;
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}` +
          (lastError === undefined ? '' : `: ${String(lastError)}`),
      );
    }
    await sleep(intervalMs);
  }
}

/** Runs `work` over `items`, at most `concurrency` at a time. */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
