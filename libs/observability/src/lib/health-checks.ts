import { Injectable } from '@nestjs/common';
import { type HealthIndicatorFunction } from '@nestjs/terminus';

/**
 * Readiness checks a service's own providers add at start (a worker pool, a watcher), beside the
 * Kafka and Postgres checks every service has. Global, so any module can inject it.
 */
@Injectable()
export class HealthChecks {
  private readonly added: HealthIndicatorFunction[] = [];

  add(check: HealthIndicatorFunction): void {
    this.added.push(check);
  }

  get all(): readonly HealthIndicatorFunction[] {
    return this.added;
  }
}
