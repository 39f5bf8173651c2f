import { type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { type Logger } from 'pino';

import { ConfigError, type LogEnv } from '@newsflow/config';
import {
  KafkaHealthIndicator,
  type KafkaConsumerTransport,
  connectKafkaConsumer,
} from '@newsflow/nest-kafka';
import {
  MetricsService,
  type TracingHandle,
  createRootLogger,
  startTracing,
  tracingSettingsFromEnv,
} from '@newsflow/observability';

import { configureHttp, publishOpenApi } from './http-setup';
import { type ConsumerGroupEnv, watchConsumerLag, watchDbPool } from './operator-metrics';

export interface HttpEnv {
  PORT: number;
  HOST: string;
}

export interface ServiceDefinition<C extends LogEnv & HttpEnv & ConsumerGroupEnv> {
  name: string;
  loadConfig(): C;
  module(config: C, logger: Logger): DynamicModule;
  /** Consuming services return their Kafka transport; it is attached and started before HTTP listens. */
  consumer?(app: INestApplication, config: C, logger: Logger): KafkaConsumerTransport;
  /** Services with a public API publish an OpenAPI document at /api/docs (and /api/docs-json). */
  openApi?: {
    title: string;
    description: string;
    /** The API wants `Authorization: Bearer <API key>`: documented, and "Authorize" in the docs UI. */
    bearerAuth?: boolean;
  };
}

/** Services must be gone within this time after SIGTERM, whatever is still running. */
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Boots a Newsflow service the same way everywhere: validated config (or exit naming the variable),
 * JSON logs, input validation, OpenAPI, Kafka consumer, graceful shutdown.
 */
export async function runService<C extends LogEnv & HttpEnv & ConsumerGroupEnv>(
  definition: ServiceDefinition<C>,
): Promise<void> {
  let config: C;
  let tracingSettings: ReturnType<typeof tracingSettingsFromEnv>;
  try {
    config = definition.loadConfig();
    tracingSettings = tracingSettingsFromEnv(definition.name);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }

  const logger = createRootLogger({
    service: definition.name,
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT,
  });
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
  // Off (no OTLP endpoint): the SDK is not even loaded, and spans are the API's no-ops.
  const tracing = tracingSettings ? await startTracing(tracingSettings, logger) : undefined;

  const app = await NestFactory.create<NestExpressApplication>(definition.module(config, logger), {
    bufferLogs: true,
    bodyParser: false,
    // Keep-alive connections would otherwise hold the HTTP server open past the shutdown deadline.
    forceCloseConnections: true,
  });
  app.useLogger(app.get(NestPinoLogger));
  configureHttp(app, app.get(MetricsService));
  if (definition.openApi) publishOpenApi(app, definition.openApi);

  // Module init (database migrations, topic creation, producer connect) must finish before consuming.
  await app.init();
  watchDbPool(app);
  const beforeClose: (() => Promise<void>)[] = [];
  if (definition.consumer) {
    const transport = definition.consumer(app, config, logger);
    connectKafkaConsumer(app, transport);
    app.get(KafkaHealthIndicator).watchConsumer(transport);
    await app.startAllMicroservices();
    const lag = watchConsumerLag(app, { transport, config, logger });
    if (lag) beforeClose.push(() => lag.stop());
  }

  await app.listen(config.PORT, config.HOST);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info({ port, host: config.HOST }, `${definition.name} ready`);
  closeOnSignals(app, logger, beforeClose, tracing);
}

/**
 * On SIGTERM or SIGINT: stop taking work (watchers, workers), stop consuming (in-flight messages finish
 * and commit), close HTTP, disconnect; then exit 0. A close that hangs is cut off at the deadline.
 */
function closeOnSignals(
  app: INestApplication,
  logger: Logger,
  beforeClose: readonly (() => Promise<void>)[],
  tracing: TracingHandle | undefined,
): void {
  const close = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown took too long, exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    Promise.all(beforeClose.map((stop) => stop()))
      .then(() => app.close())
      // The spans of the work that just finished, still in the batch processor.
      .then(() => tracing?.shutdown())
      .then(
        () => {
          logger.info({}, 'shut down cleanly');
          process.exit(0);
        },
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGTERM', close);
  process.once('SIGINT', close);
}

/** Entry point for a service's main.ts: a failed start is logged and ends the process with status 1. */
export function bootService<C extends LogEnv & HttpEnv & ConsumerGroupEnv>(
  definition: ServiceDefinition<C>,
): void {
  runService(definition).catch((error: unknown) => {
    process.stderr.write(`${definition.name} failed to start: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
