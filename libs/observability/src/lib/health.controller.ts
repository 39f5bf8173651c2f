import { Controller, Get, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorFunction,
} from '@nestjs/terminus';

import { HealthChecks } from './health-checks';

/** Each service lists the dependencies it cannot work without (Kafka, Postgres, ...). */
export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');

@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    @Inject(HEALTH_INDICATORS) private readonly indicators: HealthIndicatorFunction[],
    private readonly added: HealthChecks,
  ) {}

  /** Readiness: 200 when every dependency answers, 503 with the failing ones named otherwise. */
  @Get()
  @HealthCheck()
  check(): Promise<HealthCheckResult> {
    return this.health.check([...this.indicators, ...this.added.all]);
  }
}
