import { TypeOrmHealthIndicator } from '@nestjs/terminus';
import { type Logger } from 'pino';

import { KafkaHealthIndicator } from '@newsflow/nest-kafka';
import { ObservabilityModule } from '@newsflow/observability';

/** Logs, metrics and readiness for a service: Kafka always, Postgres for services that own a schema. */
export function observabilityModuleFor(input: { logger: Logger; postgres: boolean }) {
  return ObservabilityModule.forRoot({
    rootLogger: input.logger,
    healthIndicators: input.postgres
      ? {
          inject: [KafkaHealthIndicator, TypeOrmHealthIndicator],
          useFactory: (kafka: KafkaHealthIndicator, db: TypeOrmHealthIndicator) => [
            () => kafka.check(),
            () => db.pingCheck('postgres', { timeout: 3_000 }),
          ],
        }
      : {
          inject: [KafkaHealthIndicator],
          useFactory: (kafka: KafkaHealthIndicator) => [() => kafka.check()],
        },
  });
}
