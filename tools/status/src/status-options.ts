export const SERVICES = ['ingestion', 'enrichment', 'storage', 'notification'] as const;

export type ServiceName = (typeof SERVICES)[number];

export const DEFAULT_PORTS: Readonly<Record<ServiceName, number>> = {
  ingestion: 3000,
  enrichment: 3001,
  storage: 3002,
  notification: 3003,
};

export interface StatusOptions {
  /** Base URL of each service (no trailing slash). */
  urls: Record<ServiceName, string>;
  /** Seconds between the two scrapes that give the rates; undefined with --once (rates since start). */
  intervalSeconds: number | undefined;
  timeoutMs: number;
  json: boolean;
}

export type ParsedStatusArgs =
  { kind: 'run'; options: StatusOptions } | { kind: 'help' } | { kind: 'error'; message: string };

export const USAGE = `Usage: npm run status -- [options]

Prints a table of the running pipeline from each service's /health and /metrics: health, uptime and
memory per service; articles per stage and outcome with their rate; end-to-end latency; consumer lag in
messages and seconds per group and topic; dead letters; webhook deliveries pending and failed.

Options:
  --interval <seconds>       seconds between the two scrapes the rates come from (default 3)
  --once                     scrape once; rates are averages since each service started
  --host <host>              host of every service (env NEWSFLOW_HOST; default 127.0.0.1)
  --ingestion <port|url>     (env NEWSFLOW_INGESTION_URL; default port 3000)
  --enrichment <port|url>    (env NEWSFLOW_ENRICHMENT_URL; default port 3001)
  --storage <port|url>       (env NEWSFLOW_STORAGE_URL; default port 3002)
  --notification <port|url>  (env NEWSFLOW_NOTIFICATION_URL; default port 3003)
  --timeout <ms>             per request (default 2000)
  --json                     the collected status as JSON instead of tables
  -h, --help                 show this text

Exit codes: 0 every service up, 1 a service down or not ready (the rest is still printed),
2 bad arguments.`;

const VALUE_FLAGS = new Set([
  '--interval',
  '--host',
  '--timeout',
  ...SERVICES.map((service) => `--${service}`),
]);

/** Reads the command line, then the environment; flags win. */
export function parseStatusArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): ParsedStatusArgs {
  const given = new Map<string, string>();
  let once = false;
  let json = false;
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--once') once = true;
    else if (arg === '--json') json = true;
    else if (VALUE_FLAGS.has(arg)) {
      const value = argv[index + 1];
      if (value === undefined || value.startsWith('--'))
        return { kind: 'error', message: `${arg} needs a value` };
      given.set(arg, value);
      index += 1;
    } else {
      return { kind: 'error', message: `${arg}: unknown argument (see --help)` };
    }
  }

  const interval = given.has('--interval') ? Number(given.get('--interval')) : 3;
  if (!(interval > 0 && interval <= 300)) {
    return { kind: 'error', message: '--interval must be a number of seconds between 0 and 300' };
  }
  const timeoutMs = given.has('--timeout') ? Number(given.get('--timeout')) : 2_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
    return { kind: 'error', message: '--timeout must be a positive number of milliseconds' };
  }

  const host = given.get('--host') ?? env['NEWSFLOW_HOST'] ?? '127.0.0.1';
  const urls = {} as Record<ServiceName, string>;
  for (const service of SERVICES) {
    const flag = `--${service}`;
    const variable = `NEWSFLOW_${service.toUpperCase()}_URL`;
    const url = serviceUrl(given.get(flag) ?? env[variable], host, DEFAULT_PORTS[service]);
    if (url === undefined) {
      const source = given.has(flag) ? flag : variable;
      return { kind: 'error', message: `${source} must be a port or an http(s) URL` };
    }
    urls[service] = url;
  }
  return { kind: 'run', options: { urls, intervalSeconds: once ? undefined : interval, timeoutMs, json } };
}

/** A port number, or a URL; undefined when it is neither. */
function serviceUrl(value: string | undefined, host: string, defaultPort: number): string | undefined {
  if (value === undefined) return `http://${host}:${defaultPort}`;
  if (/^\d{1,5}$/.test(value) && Number(value) <= 65_535) return `http://${host}:${value}`;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.toString().replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}
