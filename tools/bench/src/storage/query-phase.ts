/**
 * The query phase: the mix of query-mix.ts against GET /api/articles of the running service, one
 * request at a time over one kept-alive connection, each timed from sending the request to the last
 * byte of the answer. Deep pages are reached by following `nextCursor` first (not timed), as a client
 * paging through results would; only the request for the deep page itself is timed.
 */
import { Agent, request as httpRequest } from 'node:http';

import { type QueryRequest, type QueryType, requestPath } from './query-mix';

export interface QuerySample {
  type: QueryType;
  ms: number;
  items: number;
}

export interface QueryFailure {
  type: QueryType;
  path: string;
  status: number;
  body: string;
}

export interface QueryRun {
  samples: QuerySample[];
  failures: QueryFailure[];
  /** Deep-page requests whose query had fewer pages than asked: they were timed on its last page. */
  shallowDeepPages: number;
  seconds: number;
}

interface Page {
  items: unknown[];
  nextCursor: string | null;
}

export class ArticlesClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private readonly cursors = new Map<string, { cursor: string | undefined; reached: number }>();

  constructor(private readonly baseUrl: string) {}

  close(): void {
    this.agent.destroy();
  }

  /** Follows `nextCursor` from the first page to the cursor of `page` (or of the last page there is). */
  async cursorFor(request: QueryRequest): Promise<{ cursor: string | undefined; reached: number }> {
    const key = requestPath(request);
    const known = this.cursors.get(key);
    if (known) return known;
    let cursor: string | undefined;
    let reached = 1;
    while (reached < (request.page ?? 1)) {
      const answer = await this.get(requestPath(request, cursor));
      if (answer.status !== 200)
        throw new Error(`GET ${requestPath(request, cursor)}: ${answer.status} ${answer.body}`);
      const next = (JSON.parse(answer.body) as Page).nextCursor;
      if (next === null) break;
      cursor = next;
      reached++;
    }
    const resolved = { cursor, reached };
    this.cursors.set(key, resolved);
    return resolved;
  }

  /** Runs the requests in order; `record` false for the warm-up. */
  async run(requests: readonly QueryRequest[]): Promise<QueryRun> {
    const samples: QuerySample[] = [];
    const failures: QueryFailure[] = [];
    let shallowDeepPages = 0;
    const started = process.hrtime.bigint();
    for (const request of requests) {
      let cursor: string | undefined;
      if (request.page !== undefined) {
        const resolved = await this.cursorFor(request);
        cursor = resolved.cursor;
        if (resolved.reached < request.page) shallowDeepPages++;
      }
      const path = requestPath(request, cursor);
      const answer = await this.get(path);
      if (answer.status !== 200) {
        failures.push({ type: request.type, path, status: answer.status, body: answer.body.slice(0, 300) });
        continue;
      }
      samples.push({
        type: request.type,
        ms: answer.ms,
        items: (JSON.parse(answer.body) as Page).items.length,
      });
    }
    return { samples, failures, shallowDeepPages, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  }

  private get(path: string): Promise<{ status: number; body: string; ms: number }> {
    return new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const request = httpRequest(`${this.baseUrl}${path}`, { agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: Number(process.hrtime.bigint() - started) / 1e6,
          }),
        );
      });
      request.on('error', reject);
      request.end();
    });
  }
}
