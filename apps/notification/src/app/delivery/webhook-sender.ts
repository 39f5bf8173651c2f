import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';

import { ForbiddenTargetError, guardedLookup, isForbiddenAddress } from './target-guard';
import { signWebhookWithAll } from './webhook-signature';

/** Receivers' answers are read up to this many bytes: enough for an error message, never a flood. */
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Of that, the start is kept for the delivery log. */
const KEPT_RESPONSE_BYTES = 4 * 1024;

export interface WebhookRequest {
  url: string;
  id: string;
  /** The signing secret, or all that sign now during a rotation (each adds a signature). */
  secret: string | readonly string[];
  body: string;
  now?: Date;
  /** W3C trace context of the attempt, sent as `traceparent` so the receiver can continue the trace. */
  traceParent?: string;
}

export type WebhookResult =
  | { ok: true; statusCode: number; durationMs: number; responseBody?: string }
  | { ok: false; statusCode?: number; error: string; durationMs: number; responseBody?: string };

interface ReceiverAnswer {
  statusCode: number;
  /** The start of the body (up to KEPT_RESPONSE_BYTES), as UTF-8. */
  body: string;
}

export interface WebhookSenderOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

/** POSTs one signed webhook. Only a 2xx answer counts as delivered; redirects are not followed. */
export class WebhookSender {
  constructor(private readonly options: WebhookSenderOptions) {}

  async send(request: WebhookRequest): Promise<WebhookResult> {
    const started = Date.now();
    const elapsed = () => Date.now() - started;
    let url: URL;
    try {
      url = new URL(request.url);
      this.assertAllowedTarget(url);
    } catch (error) {
      return { ok: false, error: (error as Error).message, durationMs: elapsed() };
    }
    const timestamp = Math.floor((request.now ?? new Date()).getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Newsflow-Webhooks/1',
      'webhook-id': request.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signWebhookWithAll({
        secrets: typeof request.secret === 'string' ? [request.secret] : request.secret,
        id: request.id,
        timestamp,
        body: request.body,
      }),
      ...(request.traceParent === undefined ? {} : { traceparent: request.traceParent }),
    };
    try {
      const { statusCode, body } = await this.post(url, headers, request.body);
      const responseBody = body.length > 0 ? body : undefined;
      return statusCode >= 200 && statusCode < 300
        ? { ok: true, statusCode, durationMs: elapsed(), responseBody }
        : {
            ok: false,
            statusCode,
            error: `receiver answered ${statusCode}`,
            durationMs: elapsed(),
            responseBody,
          };
    } catch (error) {
      return { ok: false, error: (error as Error).message, durationMs: elapsed() };
    }
  }

  private assertAllowedTarget(url: URL): void {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ForbiddenTargetError(`webhook URLs must be http or https, not ${url.protocol}`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // Literal IPs never go through DNS lookup, so they are checked here.
    if (!this.options.allowPrivateTargets && isIP(host) && isForbiddenAddress(host)) {
      throw new ForbiddenTargetError(`${host} is a private or reserved address`);
    }
  }

  /**
   * Resolves with the status code and the start of the body once the body has ended, passed the cap
   * or the deadline has come: `timeoutMs` bounds the whole attempt, not the idle time, so a receiver that
   * trickles bytes cannot hold a worker. An answer whose status arrived counts even if its body did not
   * finish in time.
   */
  private post(url: URL, headers: Record<string, string>, body: string): Promise<ReceiverAnswer> {
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let answer: { statusCode: number; kept: Buffer[]; keptBytes: number } | undefined;
      const settle = () => {
        if (!answer) return;
        resolve({ statusCode: answer.statusCode, body: Buffer.concat(answer.kept).toString('utf8') });
      };
      const request = transport.request(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          lookup: this.options.allowPrivateTargets ? undefined : guardedLookup,
        },
        (response) => {
          const current = { statusCode: response.statusCode ?? 0, kept: [] as Buffer[], keptBytes: 0 };
          answer = current;
          let received = 0;
          response.on('data', (chunk: Buffer) => {
            received += chunk.length;
            if (current.keptBytes < KEPT_RESPONSE_BYTES) {
              const part = chunk.subarray(0, KEPT_RESPONSE_BYTES - current.keptBytes);
              current.kept.push(part);
              current.keptBytes += part.length;
            }
            if (received > MAX_RESPONSE_BYTES) response.destroy();
          });
          response.on('end', settle);
          response.on('close', settle);
          response.on('error', () => undefined);
        },
      );
      const deadline = setTimeout(
        () => request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)),
        this.options.timeoutMs,
      );
      request.on('close', () => {
        clearTimeout(deadline);
        settle();
      });
      request.on('error', (error) => (answer ? settle() : reject(error)));
      request.end(body);
    });
  }
}
