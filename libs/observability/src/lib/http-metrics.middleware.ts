import { type IncomingMessage, type ServerResponse } from 'node:http';

import { type MetricsService } from './metrics.service';

/** What Express adds to a request once a route matched (its template, relative to the router's mount). */
interface RoutedRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

/** The label of requests that no route matched: a bounded value however many URLs are tried. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Methods outside this list are counted as `other`: a client must not be able to invent label values. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function routeTemplateOf(request: RoutedRequest): string {
  const path = request.route?.path;
  return typeof path === 'string' ? `${request.baseUrl ?? ''}${path}` : UNMATCHED_ROUTE;
}

/**
 * Express middleware (install it before every other one) that records `newsflow_http_request_duration_seconds`
 * and `newsflow_http_requests_in_flight` for each request. The route is read when the answer is sent,
 * after routing. A request whose client went away first is counted when its connection closes, with the
 * status code set by then.
 */
export function httpMetricsMiddleware(
  metrics: Pick<MetricsService, 'httpRequestDuration' | 'httpRequestsInFlight'>,
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  return (request, response, next) => {
    const started = process.hrtime.bigint();
    metrics.httpRequestsInFlight.inc();
    let recorded = false;
    const record = () => {
      if (recorded) return;
      recorded = true;
      metrics.httpRequestsInFlight.dec();
      const method = request.method?.toUpperCase() ?? 'OTHER';
      metrics.httpRequestDuration.observe(
        {
          method: KNOWN_METHODS.has(method) ? method : 'OTHER',
          route: routeTemplateOf(request as RoutedRequest),
          status_code: String(response.statusCode),
        },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    };
    // 'finish': the answer was handed to the OS; 'close' alone: the client left before that.
    response.once('finish', record);
    response.once('close', record);
    next();
  };
}
