import { type DiagLogger, DiagLogLevel, context, diag, propagation, trace } from '@opentelemetry/api';
import { type Logger } from 'pino';

import { useTracer } from './spans';
import { type TracingSettings } from './tracing-env';

export interface TracingHandle {
  /** Sends the spans still buffered and unregisters the SDK; resolves even if the receiver is gone. */
  shutdown(): Promise<void>;
}

/** The instrumentation scope of every Newsflow span. */
const TRACER_NAME = 'newsflow';
/** At shutdown the last spans get this long to reach the receiver, within the service's 10 s deadline. */
const FLUSH_DEADLINE_MS = 3_000;

/** The SDK's own warnings (an export that failed, a full queue) go to the service's log, not nowhere. */
function diagnosticsTo(logger: Logger): DiagLogger {
  const log =
    (level: 'error' | 'warn' | 'info' | 'debug' | 'trace') =>
    (message: string, ...args: unknown[]) =>
      logger[level]({ details: args.length > 0 ? args.map(String) : undefined }, message);
  return {
    error: log('error'),
    warn: log('warn'),
    info: log('info'),
    debug: log('debug'),
    verbose: log('trace'),
  };
}

/**
 * Starts the OpenTelemetry SDK: a tracer provider with the service's resource, the sampler of
 * `OTEL_TRACES_SAMPLER` (parent-based, always on by default), a batch processor (`OTEL_BSP_*`) and the
 * OTLP/HTTP exporter to the settings' endpoint. The SDK's modules are loaded here, only when tracing is on: a service without an endpoint
 * never loads them.
 */
export async function startTracing(settings: TracingSettings, logger: Logger): Promise<TracingHandle> {
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    resources,
    { ATTR_SERVICE_NAME },
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  diag.setLogger(diagnosticsTo(logger.child({ component: 'opentelemetry' })), DiagLogLevel.WARN);
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }))
    // OTEL_RESOURCE_ATTRIBUTES (deployment.environment, ...) as the specification has it.
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new NodeTracerProvider({
    resource,
    // The URL as the settings worked it out (the two endpoint variables); headers, timeout,
    // compression and certificates the exporter reads from OTEL_EXPORTER_OTLP_* itself.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.endpoint }))],
  });
  // Registers the AsyncLocalStorage context manager, so a span started in a handler is the active one in
  // everything it awaits.
  provider.register();
  useTracer(trace.getTracer(TRACER_NAME));
  logger.info({ endpoint: settings.endpoint, serviceName: settings.serviceName }, 'tracing to OTLP/HTTP');
  return {
    async shutdown() {
      useTracer(undefined);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), FLUSH_DEADLINE_MS);
      });
      try {
        const outcome = await Promise.race([provider.shutdown(), deadline]);
        if (outcome === 'late')
          logger.warn({ deadlineMs: FLUSH_DEADLINE_MS }, 'gave up sending the last spans');
      } catch (error) {
        logger.warn({ err: error }, 'could not send the last spans');
      } finally {
        clearTimeout(timer);
      }
      trace.disable();
      context.disable();
      propagation.disable();
      diag.disable();
    },
  };
}
