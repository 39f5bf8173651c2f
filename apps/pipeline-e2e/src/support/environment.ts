import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

/** Integration and e2e tests run against the real broker and database that `npm test` starts. */
export function requiredEnv(name: 'KAFKA_BROKERS' | 'DATABASE_URL'): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: run the end-to-end tests through \`npm test\` (tools/dev/test.mjs), which starts Kafka and Postgres`,
    );
  }
  return value;
}

export const runId = (): string => randomBytes(4).toString('hex');

/**
 * Ports below Linux's ephemeral range (32768-60999): the kernel hands those out as source ports of
 * outgoing connections, so a free one found there can be taken by a service's Kafka or Postgres client
 * before the service listens on it (EADDRINUSE, seen once in CI).
 */
const LISTEN_PORTS = { from: 20_000, to: 32_767 };

export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LISTEN_PORTS.from + Math.floor(Math.random() * (LISTEN_PORTS.to - LISTEN_PORTS.from + 1));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${LISTEN_PORTS.from} and ${LISTEN_PORTS.to} after 50 tries`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Polls until `probe` returns a value (not undefined) or the time is up. */
export async function eventually<T>(
  description: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 250,
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
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${description}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
