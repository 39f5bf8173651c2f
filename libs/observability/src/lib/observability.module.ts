import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { TerminusModule, type HealthIndicatorFunction } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { type Logger } from 'pino';

import { HealthChecks } from './health-checks';
import { HEALTH_INDICATORS, HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

export interface ObservabilityModuleOptions {
  rootLogger: Logger;
  /** Builds the readiness checks from the app's own providers. */
  healthIndicators: {
    inject: (string | symbol | (abstract new (...args: never[]) => unknown))[];
    useFactory: (...deps: never[]) => HealthIndicatorFunction[];
  };
}

/** Logs (pino), metrics (`/metrics`) and readiness (`/health`) the same way in every service. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: ObservabilityModuleOptions): DynamicModule {
    const providers: Provider[] = [
      MetricsService,
      HealthChecks,
      { provide: ROOT_LOGGER, useValue: options.rootLogger },
      {
        provide: HEALTH_INDICATORS,
        inject: options.healthIndicators.inject,
        useFactory: options.healthIndicators.useFactory,
      },
    ];
    return {
      module: ObservabilityModule,
      imports: [
        TerminusModule.forRoot({ errorLogStyle: 'json', gracefulShutdownTimeoutMs: 0 }),
        LoggerModule.forRoot({
          pinoHttp: {
            logger: options.rootLogger,
            // Probes and scrapes every few seconds would drown the request log.
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers,
      exports: [MetricsService, HealthChecks, ROOT_LOGGER],
    };
  }
}
