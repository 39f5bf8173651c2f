import { z } from 'zod';

import { ConfigError, type Environment, booleanFromEnv, loadConfig } from '@newsflow/config';

/** The samplers of the OpenTelemetry specification's `OTEL_TRACES_SAMPLER`. */
const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
] as const;

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' });

/**
 * The standard OpenTelemetry variables Newsflow reads. The exporter itself also reads the rest of the
 * `OTEL_EXPORTER_OTLP_*` family (headers, timeout, compression, certificates) and the batch processor
 * `OTEL_BSP_*`; these are the ones checked at boot, so a typo stops the service naming the variable.
 */
export const TracingEnvSchema = z.object({
  /** Base URL of an OTLP/HTTP receiver; traces go to `<endpoint>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl.optional(),
  /** The full URL for traces (used as it is); wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.string().optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.string().optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).optional(),
  OTEL_TRACES_SAMPLER: z.enum(SAMPLERS, { message: `must be one of ${SAMPLERS.join(', ')}` }).optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce
    .number({ message: 'must be a number between 0 and 1' })
    .min(0, { message: 'must be a number between 0 and 1' })
    .max(1, { message: 'must be a number between 0 and 1' })
    .optional(),
  /** `none` turns the exporter off even with an endpoint set. */
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'none'], { message: 'must be otlp or none' }).optional(),
  OTEL_SDK_DISABLED: booleanFromEnv(false),
});

export interface TracingSettings {
  serviceName: string;
  /** Where spans are sent, for the log line at start (the exporter reads the variables itself). */
  endpoint: string;
}

/** What the exporter speaks: OTLP over HTTP with the JSON encoding, which OTLP/HTTP receivers accept. */
const SUPPORTED_PROTOCOL = 'http/json';

/**
 * Tracing is on when an OTLP endpoint is set (and not switched off by `OTEL_SDK_DISABLED` or
 * `OTEL_TRACES_EXPORTER=none`); undefined means off. Throws a ConfigError naming the variable for a
 * value that cannot work.
 */
export function tracingSettingsFromEnv(
  defaultServiceName: string,
  env: Environment = process.env,
): TracingSettings | undefined {
  const config = loadConfig(TracingEnvSchema, env);
  const endpoint =
    config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (config.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
      ? undefined
      : `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  if (endpoint === undefined || config.OTEL_SDK_DISABLED || config.OTEL_TRACES_EXPORTER === 'none') {
    return undefined;
  }
  for (const variable of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const) {
    const protocol = config[variable];
    if (protocol !== undefined && protocol !== SUPPORTED_PROTOCOL) {
      throw new ConfigError([
        {
          variable,
          message: `Newsflow exports traces as OTLP/HTTP with JSON (${SUPPORTED_PROTOCOL}), not ${protocol}; OTLP/HTTP receivers (the OpenTelemetry Collector, Jaeger, Tempo) take it on their usual port 4318`,
        },
      ]);
    }
  }
  const ratioSampler = config.OTEL_TRACES_SAMPLER?.endsWith('traceidratio') ?? false;
  if (config.OTEL_TRACES_SAMPLER_ARG !== undefined && !ratioSampler) {
    throw new ConfigError([
      {
        variable: 'OTEL_TRACES_SAMPLER_ARG',
        message: 'only means something with OTEL_TRACES_SAMPLER=traceidratio or parentbased_traceidratio',
      },
    ]);
  }
  return { serviceName: config.OTEL_SERVICE_NAME ?? defaultServiceName, endpoint };
}
