/**
 * WebhookSender against REAL HTTP receivers: node:http servers on 127.0.0.1, port 0, started by each
 * test. No database and no Kafka are involved, so this suite does not need DATABASE_URL.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

import { generateSigningSecret } from './webhook-signature';
import { type WebhookResult, WebhookSender } from './webhook-sender';

interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  receivedAt: number;
}

interface Receiver {
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  requests: ReceivedRequest[];
  /** TCP connections accepted, including ones that never sent a complete request. */
  connections: number;
  close(): Promise<void>;
}

type Handler = (request: ReceivedRequest, response: ServerResponse) => void;

const receivers: Receiver[] = [];

async function startReceiver(handler: Handler): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((request: IncomingMessage, response: ServerResponse) => {
    // A sender that hangs up mid-answer makes writes fail: that is expected here, not a test crash.
    response.on('error', () => undefined);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const received: ReceivedRequest = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
        receivedAt: Date.now(),
      };
      requests.push(received);
      handler(received, response);
    });
  });
  const receiver: Receiver = {
    origin: '',
    port: 0,
    requests,
    connections: 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  server.on('connection', (socket) => {
    receiver.connections += 1;
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.origin = `http://127.0.0.1:${receiver.port}`;
  receivers.push(receiver);
  return receiver;
}

afterEach(async () => {
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

const allowLoopback = (timeoutMs = 2_000) => new WebhookSender({ timeoutMs, allowPrivateTargets: true });

function sampleRequest(
  url: string,
  overrides: Partial<{ id: string; secret: string; body: string; now: Date }> = {},
) {
  return {
    url,
    id: overrides.id ?? `msg_${randomBytes(6).toString('hex')}`,
    secret: overrides.secret ?? generateSigningSecret(),
    body:
      overrides.body ??
      JSON.stringify({ type: 'article.matched', data: { id: 'x', text: 'Zürich – “quotes” 字' } }),
    now: overrides.now,
  };
}

/** Standard Webhooks verification, written from the specification, independent of webhook-signature.ts. */
function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, rawBody: Buffer): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatureHeader = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatureHeader !== 'string')
    return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(Buffer.concat([Buffer.from(`${id}.${timestamp}.`, 'utf8'), rawBody]))
    .digest();
  // The header is a space-separated list of `<version>,<base64 signature>`; any v1 match verifies.
  return signatureHeader.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const actual = Buffer.from(signature, 'base64');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
}

async function timed(run: () => Promise<WebhookResult>): Promise<{ result: WebhookResult; wallMs: number }> {
  const started = Date.now();
  const result = await run();
  return { result, wallMs: Date.now() - started };
}

describe('WebhookSender against a real HTTP receiver', () => {
  it.each([200, 201, 202, 204, 299])('%i counts as delivered, with the status code', async (status) => {
    const receiver = await startReceiver((_request, response) => response.writeHead(status).end());
    const request = sampleRequest(`${receiver.origin}/hooks/newsflow?team=1`);
    const result = await allowLoopback().send(request);

    expect(result).toEqual({ ok: true, statusCode: status, durationMs: expect.any(Number) });
    expect(receiver.requests).toHaveLength(1);
    const received = receiver.requests[0] as ReceivedRequest;
    expect(received.method).toBe('POST');
    expect(received.url).toBe('/hooks/newsflow?team=1');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers['content-length']).toBe(String(Buffer.byteLength(request.body)));
    expect(received.body.toString('utf8')).toBe(request.body);
  });

  it.each([500, 503, 404, 410, 429, 400, 304])(
    '%i is a failed attempt that keeps the status code',
    async (status) => {
      const receiver = await startReceiver((_request, response) => response.writeHead(status).end('nope'));
      const result = await allowLoopback().send(sampleRequest(receiver.origin));
      expect(result).toEqual({
        ok: false,
        statusCode: status,
        error: `receiver answered ${status}`,
        durationMs: expect.any(Number),
        // A 304 has no body by definition (RFC 9110): node drops what the receiver wrote.
        responseBody: status === 304 ? undefined : 'nope',
      });
    },
  );

  it('keeps the first 4 KB of a long answer for the delivery log and reads no further than 64 KB', async () => {
    const answer = `quota exceeded: ${'x'.repeat(200 * 1024)}`;
    const receiver = await startReceiver((_request, response) => response.writeHead(429).end(answer));
    const { result, wallMs } = await timed(() => allowLoopback(2_000).send(sampleRequest(receiver.origin)));
    expect(result.ok).toBe(false);
    expect(result.responseBody).toBe(answer.slice(0, 4 * 1024));
    expect(wallMs).toBeLessThan(1_500);
  });

  it('a receiver that never answers fails after timeoutMs (300 ms), well within 1 s', async () => {
    const receiver = await startReceiver(() => undefined); // reads the request, never answers
    const { result, wallMs } = await timed(() => allowLoopback(300).send(sampleRequest(receiver.origin)));

    expect(result.ok).toBe(false);
    expect(result.ok === false && result.error).toMatch(/300 ms/);
    expect(result.ok === false && result.statusCode).toBeUndefined();
    expect(receiver.requests).toHaveLength(1);
    expect(wallMs).toBeGreaterThanOrEqual(250);
    expect(wallMs).toBeLessThan(1_000);
    expect(result.durationMs).toBeLessThan(1_000);
  });

  it('a receiver that accepts the connection but never reads or answers also times out', async () => {
    const sockets: import('node:net').Socket[] = [];
    const server = http.createServer();
    // Swallow the connection before http parses anything.
    server.removeAllListeners('connection');
    server.on('connection', (socket) => {
      sockets.push(socket);
      socket.pause();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const { result, wallMs } = await timed(() =>
        allowLoopback(300).send(sampleRequest(`http://127.0.0.1:${port}`)),
      );
      expect(result.ok).toBe(false);
      expect(result.ok === false && result.error).toMatch(/300 ms/);
      expect(wallMs).toBeLessThan(1_000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('does not follow a redirect: a 302 elsewhere is a failed attempt and "elsewhere" gets nothing', async () => {
    const elsewhere = await startReceiver((_request, response) => response.writeHead(204).end());
    const receiver = await startReceiver((_request, response) =>
      response.writeHead(302, { location: `${elsewhere.origin}/stolen` }).end(),
    );
    const result = await allowLoopback().send(sampleRequest(receiver.origin));

    expect(result).toMatchObject({ ok: false, statusCode: 302 });
    expect(receiver.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
    expect(elsewhere.connections).toBe(0);
  });

  it.each([301, 307, 308])('%i redirects are not followed either', async (status) => {
    const receiver = await startReceiver((request, response) => {
      if (request.url === '/') response.writeHead(status, { location: '/moved' }).end();
      else response.writeHead(204).end();
    });
    const result = await allowLoopback().send(sampleRequest(`${receiver.origin}/`));
    expect(result).toMatchObject({ ok: false, statusCode: status });
    expect(receiver.requests.map((request) => request.url)).toEqual(['/']);
  });

  describe('with allowPrivateTargets false', () => {
    const guarded = () => new WebhookSender({ timeoutMs: 2_000, allowPrivateTargets: false });

    it('refuses http://127.0.0.1:<port> before connecting: private/reserved error, the receiver sees nothing', async () => {
      const receiver = await startReceiver((_request, response) => response.writeHead(204).end());
      const result = await guarded().send(sampleRequest(`${receiver.origin}/hook`));

      expect(result.ok).toBe(false);
      expect(result.ok === false && result.error).toMatch(/private or reserved/);
      expect(result.ok === false && result.statusCode).toBeUndefined();
      expect(receiver.requests).toHaveLength(0);
      expect(receiver.connections).toBe(0);
    });

    it.each([
      ['localhost (refused by the guarded DNS lookup)', (port: number) => `http://localhost:${port}/`],
      ['127.1', (port: number) => `http://127.1:${port}/`],
      ['2130706433', (port: number) => `http://2130706433:${port}/`],
      ['0x7f.0.0.1', (port: number) => `http://0x7f.0.0.1:${port}/`],
      ['[::ffff:127.0.0.1]', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ])('refuses loopback spelled as %s, without a connection', async (_label, urlFor) => {
      const receiver = await startReceiver((_request, response) => response.writeHead(204).end());
      const result = await guarded().send(sampleRequest(urlFor(receiver.port)));
      expect(result.ok).toBe(false);
      expect(result.ok === false && result.error).toMatch(/private or reserved/);
      expect(receiver.connections).toBe(0);
    });

    it.each(['ftp://example.org/hook', 'file:///etc/passwd', 'not a url'])(
      'refuses %s without throwing',
      async (url) => {
        const result = await guarded().send(sampleRequest(url));
        expect(result.ok).toBe(false);
      },
    );
  });

  it('sends Standard Webhooks headers whose signature verifies (independent HMAC implementation)', async () => {
    const receiver = await startReceiver((_request, response) => response.writeHead(204).end());
    const secret = generateSigningSecret();
    const now = new Date('2026-01-02T03:04:05.678Z');
    const request = sampleRequest(receiver.origin, { secret, id: 'msg_2bq9ZxY', now });
    await allowLoopback().send(request);

    const received = receiver.requests[0] as ReceivedRequest;
    expect(received.headers['webhook-id']).toBe('msg_2bq9ZxY');
    expect(received.headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(received.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(verifyStandardWebhook(secret, received.headers, received.body)).toBe(true);

    // The verifier is not vacuous: another secret, a changed body or a changed timestamp fail.
    expect(verifyStandardWebhook(generateSigningSecret(), received.headers, received.body)).toBe(false);
    expect(verifyStandardWebhook(secret, received.headers, Buffer.from(`${received.body.toString()} `))).toBe(
      false,
    );
    expect(
      verifyStandardWebhook(secret, { ...received.headers, 'webhook-timestamp': '1' }, received.body),
    ).toBe(false);
  });

  it('sends the traceparent it is given, and none when it has none', async () => {
    const receiver = await startReceiver((_request, response) => response.writeHead(204).end());
    const traceParent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await allowLoopback().send({ ...sampleRequest(receiver.origin), traceParent });
    await allowLoopback().send(sampleRequest(receiver.origin));
    expect(receiver.requests.map((received) => received.headers['traceparent'])).toEqual([
      traceParent,
      undefined,
    ]);
  });

  it('uses the current time for webhook-timestamp when no time is given', async () => {
    const receiver = await startReceiver((_request, response) => response.writeHead(204).end());
    const secret = generateSigningSecret();
    const before = Math.floor(Date.now() / 1000);
    await allowLoopback().send({ url: receiver.origin, id: 'msg_now', secret, body: '{}' });
    const after = Math.floor(Date.now() / 1000);
    const received = receiver.requests[0] as ReceivedRequest;
    const timestamp = Number(received.headers['webhook-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(after);
    expect(verifyStandardWebhook(secret, received.headers, received.body)).toBe(true);
  });

  it.each([200, 500])(
    'a huge (5 MB) response body with %i is cut off at the response cap and does not break the sender',
    async (status) => {
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const receiver = await startReceiver((_request, response) => {
        response.writeHead(status, {
          'content-type': 'text/plain',
          'content-length': String(80 * chunk.length),
        });
        let sent = 0;
        const pump = () => {
          while (sent < 80 && !response.destroyed) {
            sent += 1;
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
          if (!response.destroyed) response.end();
        };
        pump();
      });
      const { result, wallMs } = await timed(() => allowLoopback().send(sampleRequest(receiver.origin)));
      expect(result).toMatchObject({ ok: status === 200, statusCode: status });
      expect(wallMs).toBeLessThan(2_000);
    },
  );

  it('a connection refused (nothing listening) is a failed attempt, not an exception', async () => {
    const receiver = await startReceiver(() => undefined);
    const { port } = receiver;
    await receiver.close();
    const result = await allowLoopback().send(sampleRequest(`http://127.0.0.1:${port}`));
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.error).toMatch(/ECONNREFUSED/);
  });

  it('a receiver that drops the connection without answering is a failed attempt', async () => {
    const receiver = await startReceiver((_request, response) => response.socket?.destroy());
    const result = await allowLoopback().send(sampleRequest(receiver.origin));
    expect(result.ok).toBe(false);
    expect(result.ok === false && result.statusCode).toBeUndefined();
  });

  // `timeoutMs` is a deadline for the attempt: a slow, trickling answer cannot hold a worker.
  it('a receiver that trickles its answer forever is cut off within ~1 s of timeoutMs', async () => {
    const receiver = await startReceiver((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => {
        if (response.destroyed) clearInterval(timer);
        else response.write('.');
      }, 100);
      response.on('close', () => clearInterval(timer));
    });
    const send = allowLoopback(300).send(sampleRequest(receiver.origin));
    let deadline: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      send.then((result) => ({ settled: true as const, result })),
      new Promise<{ settled: false }>((resolve) => {
        deadline = setTimeout(() => resolve({ settled: false }), 1_500);
      }),
    ]);
    clearTimeout(deadline);
    // afterEach closes the receiver's connections, which ends the pending send().
    expect(outcome.settled).toBe(true);
  });
});
