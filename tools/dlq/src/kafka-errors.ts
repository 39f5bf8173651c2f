import { connect } from 'node:net';

/** kafkajs reports an unreachable broker under several names, sometimes as the cause of a retry error. */
const UNREACHABLE_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSBrokerNotFound',
  'KafkaJSRequestTimeoutError',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET']);

export function isBrokerUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 10; depth++) {
    if (UNREACHABLE_NAMES.has(current.name)) return true;
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * Whether any broker accepts a TCP connection. kafkajs retries an unreachable bootstrap broker for
 * about a minute; an operator at a prompt should hear within seconds that nothing is listening.
 */
export async function anyBrokerListening(brokers: readonly string[], timeoutMs = 3_000): Promise<boolean> {
  const attempts = brokers.map((broker) => {
    const separator = broker.lastIndexOf(':');
    return canConnect(
      broker.slice(0, separator).replace(/^\[|\]$/g, ''),
      Number(broker.slice(separator + 1)),
      timeoutMs,
    );
  });
  return (await Promise.all(attempts)).some(Boolean);
}

function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
