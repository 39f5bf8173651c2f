import { setTimeout as sleep } from 'node:timers/promises';

import { type Sample, parsePrometheusText } from './prometheus-text';
import { SERVICES, type ServiceName, type StatusOptions } from './status-options';

/** `up`: /health answered 200; `unready`: it answered otherwise (503 names what is down); `down`: no answer. */
export interface HealthAnswer {
  state: 'up' | 'unready' | 'down';
  detail?: string;
}

export interface MetricsScrape {
  /** Epoch ms when the answer came. */
  at: number;
  samples: Sample[];
}

export interface ServiceScrape {
  service: ServiceName;
  url: string;
  health: HealthAnswer;
  /** The first and, unless --once, the second /metrics answer; absent when the service gave none. */
  scrapes: MetricsScrape[];
  /** Why /metrics could not be read, when it could not. */
  metricsError?: string;
}

/**
 * Reads every service's /health and /metrics at once, and with an interval reads /metrics a second
 * time after it, for the rates. A service that does not answer is reported, never thrown.
 */
export async function scrapeServices(options: StatusOptions): Promise<ServiceScrape[]> {
  const first = await Promise.all(
    SERVICES.map(async (service): Promise<ServiceScrape> => {
      const url = options.urls[service];
      const [health, metrics] = await Promise.all([
        readHealth(url, options.timeoutMs),
        attempt(() => readMetrics(url, options.timeoutMs)),
      ]);
      return {
        service,
        url,
        health,
        scrapes: 'value' in metrics ? [metrics.value] : [],
        ...('error' in metrics ? { metricsError: metrics.error } : {}),
      };
    }),
  );
  if (options.intervalSeconds === undefined) return first;
  await sleep(options.intervalSeconds * 1000);
  return Promise.all(
    first.map(async (scrape) => {
      if (scrape.scrapes.length === 0) return scrape;
      const again = await attempt(() => readMetrics(scrape.url, options.timeoutMs));
      return 'value' in again ? { ...scrape, scrapes: [...scrape.scrapes, again.value] } : scrape;
    }),
  );
}

export async function readHealth(baseUrl: string, timeoutMs: number): Promise<HealthAnswer> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { state: 'down', detail: reasonOf(error) };
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (response.ok) return { state: 'up' };
  return { state: 'unready', detail: `${response.status}${failingChecks(body)}` };
}

export async function readMetrics(baseUrl: string, timeoutMs: number): Promise<MetricsScrape> {
  const response = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  return { at: Date.now(), samples: parsePrometheusText(text) };
}

/** Terminus names each failing check under `error`: `kafka: consumer not in its group`. */
function failingChecks(body: unknown): string {
  const error = (body as { error?: unknown } | undefined)?.error;
  if (typeof error !== 'object' || error === null) return '';
  const checks = Object.entries(error as Record<string, unknown>).map(([name, check]) => {
    const fields = (check ?? {}) as { message?: unknown; consumer?: unknown };
    const why = [fields.consumer, fields.message].find((value) => typeof value === 'string');
    return why === undefined ? name : `${name}: ${String(why)}`;
  });
  return checks.length > 0 ? ` (${checks.join('; ')})` : '';
}

async function attempt<T>(work: () => Promise<T>): Promise<{ value: T } | { error: string }> {
  try {
    return { value: await work() };
  } catch (error) {
    return { error: reasonOf(error) };
  }
}

/**
 * fetch wraps the socket error (ECONNREFUSED ...) as its cause. Checked by shape, not instanceof: the
 * errors of Node's fetch may come from another realm (a test runner's).
 */
function reasonOf(error: unknown): string {
  const { name, message, cause } = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    message?: unknown;
    cause?: { message?: unknown };
  };
  if (name === 'TimeoutError') return 'no answer in time';
  if (typeof cause?.message === 'string') return cause.message;
  return typeof message === 'string' ? message : String(error);
}
