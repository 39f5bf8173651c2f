/**
 * Readiness while dependencies are down: the storage service (Kafka consumer and Postgres, as built in
 * dist/) reports /health 503 within seconds of losing Kafka or Postgres, and 200 again once they are
 * back, without a restart. Kafka is a broker of the test's own (stopped and started again on the same
 * ports and data); Postgres is the real server behind a TCP proxy that the test cuts and restores.
 */
import { eventually, freePort, requiredEnv, runId } from './support/environment';
import { PrivateBroker } from './support/private-broker';
import { ServiceProcess } from './support/service-process';
import { TcpProxy } from './support/tcp-proxy';

/** "Within a few seconds": the checks time out after 3 s, and the test polls every 250 ms. */
const GOES_DOWN_WITHIN_MS = 8_000;
/**
 * Reconnecting takes longer than noticing: kafkajs backs off between attempts (up to 30 s) before the
 * consumer rejoins its group; measured 31 s after the broker was back, on a busy machine.
 */
const COMES_BACK_WITHIN_MS = 90_000;

interface Health {
  status: number;
  body: { status?: string; error?: Record<string, unknown>; info?: Record<string, unknown> };
}

describe('readiness while a dependency is down', () => {
  const broker = new PrivateBroker();
  const databaseUrl = new URL(requiredEnv('DATABASE_URL'));
  const proxy = new TcpProxy({ host: databaseUrl.hostname, port: Number(databaseUrl.port || 5432) });
  let storage: ServiceProcess;

  async function health(): Promise<Health> {
    const response = await fetch(`${storage.baseUrl}/health`, { signal: AbortSignal.timeout(5_000) });
    return { status: response.status, body: (await response.json()) as Health['body'] };
  }

  /** Polls /health until `accept` holds; resolves with the answer and how long it took. */
  async function healthUntil(
    description: string,
    accept: (health: Health) => boolean,
    timeoutMs: number,
  ): Promise<{ health: Health; afterMs: number }> {
    const started = Date.now();
    const found = await eventually(
      description,
      async () => {
        const answer = await health();
        return accept(answer) ? answer : undefined;
      },
      timeoutMs,
    );
    return { health: found, afterMs: Date.now() - started };
  }

  beforeAll(async () => {
    await broker.start();
    const proxyPort = await proxy.start();
    const throughProxy = new URL(databaseUrl);
    throughProxy.hostname = '127.0.0.1';
    throughProxy.port = String(proxyPort);
    storage = new ServiceProcess('storage', await freePort(), {
      KAFKA_BROKERS: broker.bootstrap,
      DATABASE_URL: throughProxy.toString(),
      KAFKA_GROUP_ID: `readiness-${runId()}`,
    });
    storage.start();
    await storage.waitUntilReady(120_000);
  }, 240_000);

  afterAll(async () => {
    await storage?.stop().catch(() => undefined);
    await proxy.stop();
    await broker.dispose();
  }, 60_000);

  it('goes unready within seconds when Postgres is cut off, and ready again once it is reachable', async () => {
    expect((await health()).status).toBe(200);
    proxy.cut();
    const down = await healthUntil(
      '/health 503 with Postgres down',
      (h) => h.status === 503,
      GOES_DOWN_WITHIN_MS,
    );
    expect(down.health.body.error).toHaveProperty('postgres');
    expect(down.health.body.error).not.toHaveProperty('kafka');

    proxy.restore();
    const up = await healthUntil(
      '/health 200 with Postgres back',
      (h) => h.status === 200,
      COMES_BACK_WITHIN_MS,
    );
    expect(up.health.body.info).toHaveProperty('postgres.status', 'up');
  }, 120_000);

  it('goes unready within seconds when the Kafka broker stops, and ready again once it is back', async () => {
    expect((await health()).status).toBe(200);
    await broker.stop();
    const down = await healthUntil(
      '/health 503 with Kafka down',
      (h) => h.status === 503,
      GOES_DOWN_WITHIN_MS,
    );
    expect(down.health.body.error).toHaveProperty('kafka');
    expect(down.health.body.error).not.toHaveProperty('postgres');

    await broker.start();
    const up = await healthUntil(
      '/health 200 with Kafka back',
      (h) => h.status === 200,
      COMES_BACK_WITHIN_MS,
    );
    // The same process all along (nothing here restarts it): it reconnected by itself.
    expect(up.health.body.info).toHaveProperty('kafka.status', 'up');
  }, 240_000);
});
