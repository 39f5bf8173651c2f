import { createServer } from 'node:net';

import { anyBrokerListening, isBrokerUnreachable } from './kafka-errors';

function named(name: string, options: { cause?: unknown; code?: string } = {}): Error {
  const error = new Error('failed', { cause: options.cause });
  error.name = name;
  return Object.assign(error, options.code ? { code: options.code } : {});
}

describe('isBrokerUnreachable', () => {
  it('recognises kafkajs connection errors, also as the cause of a retry error', () => {
    expect(isBrokerUnreachable(named('KafkaJSConnectionError'))).toBe(true);
    expect(
      isBrokerUnreachable(
        named('KafkaJSNumberOfRetriesExceeded', { cause: named('KafkaJSConnectionError') }),
      ),
    ).toBe(true);
    expect(isBrokerUnreachable(named('Error', { code: 'ECONNREFUSED' }))).toBe(true);
  });

  it('does not take other failures for an unreachable broker', () => {
    expect(isBrokerUnreachable(named('KafkaJSProtocolError'))).toBe(false);
    expect(isBrokerUnreachable(new Error('boom'))).toBe(false);
    expect(isBrokerUnreachable('ECONNREFUSED')).toBe(false);
  });
});

describe('anyBrokerListening', () => {
  it('tells a listening port from a closed one', async () => {
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    try {
      expect(await anyBrokerListening([`127.0.0.1:${address.port}`])).toBe(true);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await anyBrokerListening([`127.0.0.1:${address.port}`])).toBe(false);
  });
});
