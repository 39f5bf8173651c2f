import { Inject, Injectable } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { type Admin, type Kafka } from 'kafkajs';

import { KAFKA_CLIENT } from './kafka.tokens';

const CHECK_TIMEOUT_MS = 3_000;

interface ConsumerStatusSource {
  membership(): { joined: boolean; error?: string };
}

/**
 * Ready when the broker answers a metadata request and, in consuming services, when the consumer is
 * in its group. A kept-open admin client makes the check cheap enough to run every few seconds.
 */
@Injectable()
export class KafkaHealthIndicator {
  private admin: Admin | undefined;
  private consumers: ConsumerStatusSource[] = [];

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly indicators: HealthIndicatorService,
  ) {}

  watchConsumer(consumer: ConsumerStatusSource): void {
    this.consumers.push(consumer);
  }

  async check(key = 'kafka'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      this.admin ??= this.kafka.admin();
      await withTimeout(this.admin.connect(), CHECK_TIMEOUT_MS);
      const cluster = await withTimeout(this.admin.describeCluster(), CHECK_TIMEOUT_MS);
      const lagging = this.consumers
        .map((consumer) => consumer.membership())
        .filter((status) => !status.joined);
      if (lagging.length > 0) {
        return indicator.down({
          brokers: cluster.brokers.length,
          consumer: 'not in its group',
          error: lagging[0]?.error,
        });
      }
      return indicator.up({ brokers: cluster.brokers.length });
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Kafka within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
