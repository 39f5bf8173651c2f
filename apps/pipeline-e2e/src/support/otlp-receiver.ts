import { type IncomingMessage, type Server, createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';

/** OTLP's SpanKind numbers (opentelemetry/proto/trace/v1/trace.proto). */
export const OtlpSpanKind = { Internal: 1, Server: 2, Client: 3, Producer: 4, Consumer: 5 } as const;

export type AttributeValue = string | number | boolean;

export interface ReceivedSpan {
  /** The resource's `service.name`. */
  service: string;
  resource: Record<string, AttributeValue>;
  traceId: string;
  spanId: string;
  /** Undefined for a trace's root span. */
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Record<string, AttributeValue>;
  /** 0 unset, 1 ok, 2 error. */
  statusCode: number;
  /** Spans this one is linked to (not its parent), possibly in other traces. */
  links: { traceId: string; spanId: string }[];
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
}

interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  attributes?: OtlpKeyValue[];
  status?: { code?: number };
  links?: { traceId: string; spanId: string }[];
}

interface ExportTraceServiceRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: { spans?: OtlpSpan[] }[];
  }[];
}

function valueOf(value: OtlpAnyValue | undefined): AttributeValue {
  if (value?.stringValue !== undefined) return value.stringValue;
  if (value?.boolValue !== undefined) return value.boolValue;
  if (value?.intValue !== undefined) return Number(value.intValue);
  if (value?.doubleValue !== undefined) return value.doubleValue;
  return '';
}

function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map((entry) => [entry.key, valueOf(entry.value)]));
}

/**
 * A real OTLP/HTTP trace receiver on 127.0.0.1 for the tests: `POST /v1/traces` with the JSON encoding
 * (what @opentelemetry/exporter-trace-otlp-http sends; gzip or not), answered as a collector would.
 * Anything else (another path, the protobuf encoding, a body that does not parse) is answered with an
 * error and kept in `problems`, so a test can say what went wrong instead of waiting for spans in vain.
 * Ids are hex in OTLP JSON, as in a `traceparent`.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly problems: string[] = [];
  private server: Server | undefined;
  private port = 0;

  /** What OTEL_EXPORTER_OTLP_ENDPOINT is set to: the exporter adds `/v1/traces`. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      readBody(request).then(
        (body) => {
          const problem = this.accept(request, body);
          if (problem === undefined) {
            response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
            return;
          }
          this.problems.push(problem);
          response.writeHead(problem.startsWith('415') ? 415 : 400).end(problem);
        },
        (error: unknown) => {
          this.problems.push(`could not read a request: ${String(error)}`);
          response.writeHead(400).end();
        },
      );
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((span) => span.traceId === traceId);
  }

  /** Undefined when the request was a valid export, else why not. */
  private accept(request: IncomingMessage, raw: Buffer): string | undefined {
    if (request.method !== 'POST' || request.url !== '/v1/traces') {
      return `404 ${request.method} ${request.url}: only POST /v1/traces is served`;
    }
    const contentType = request.headers['content-type'] ?? '';
    if (!contentType.startsWith('application/json')) {
      return `415 content-type ${contentType}: this receiver takes the JSON encoding only`;
    }
    let exported: ExportTraceServiceRequest;
    try {
      const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      exported = JSON.parse(body.toString('utf8')) as ExportTraceServiceRequest;
    } catch (error) {
      return `400 the body is not OTLP JSON: ${String(error)}`;
    }
    for (const resourceSpans of exported.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes);
      for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
        for (const span of scopeSpans.spans ?? []) {
          this.spans.push({
            service: String(resource['service.name'] ?? ''),
            resource,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId ? span.parentSpanId : undefined,
            name: span.name,
            kind: span.kind ?? 0,
            attributes: attributesOf(span.attributes),
            statusCode: span.status?.code ?? 0,
            links: (span.links ?? []).map(({ traceId, spanId }) => ({ traceId, spanId })),
          });
        }
      }
    }
    return undefined;
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
