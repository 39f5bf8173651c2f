import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

import { type ArticleIngestedV1 } from '@newsflow/contracts';
import {
  type ArticleAnalysis,
  EnrichmentPoolClosedError,
  EnrichmentWorkerError,
  EnrichmentWorkerPool,
  EnrichmentWorkerStartError,
} from '@newsflow/enrichment';
import { PermanentError, TransientError } from '@newsflow/kafka';
import { HealthChecks } from '@newsflow/observability';

import { ENRICHMENT_CONFIG, type EnrichmentConfig } from '../enrichment.config';

/**
 * The enrichment library behind the consumer: runs it in worker threads with a per-article deadline
 * and turns its failures into the runtime's error policy.
 */
@Injectable()
export class ArticleAnalyser implements OnModuleInit, OnApplicationShutdown {
  private pool?: EnrichmentWorkerPool;

  constructor(
    @Inject(ENRICHMENT_CONFIG) private readonly config: EnrichmentConfig,
    private readonly healthChecks: HealthChecks,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async onModuleInit(): Promise<void> {
    this.pool = await EnrichmentWorkerPool.start({
      size: this.config.ENRICH_WORKERS,
      timeoutMs: this.config.ENRICH_TIMEOUT_MS,
    });
    this.healthChecks.add(async () => this.check());
  }

  /** Ready while at least one worker can take an article (a replaced worker is restarting in the background). */
  check(): HealthIndicatorResult {
    const indicator = this.indicators.check('enrichmentWorkers');
    const status = this.pool?.status();
    if (!status || status.closed || status.readyWorkers === 0) return indicator.down({ ...status });
    return indicator.up({ ...status });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.close();
  }

  async analyse(article: ArticleIngestedV1): Promise<ArticleAnalysis> {
    if (!this.pool)
      throw new TransientError('ENRICHMENT_NOT_READY', 'The enrichment workers are not started yet');
    try {
      return await this.pool.analyse(article, { publishedAt: article.publishedAt });
    } catch (error) {
      throw asPipelineError(error);
    }
  }
}

/**
 * Shutting down or failing to start workers says nothing about the article: worth another try. A
 * timeout, a crash or a throw on this article would happen again: dead-letter it with the reason, so
 * it cannot stall its partition (an operator can redrive it after a fix).
 */
export function asPipelineError(error: unknown): unknown {
  if (!(error instanceof EnrichmentWorkerError)) return error;
  if (error instanceof EnrichmentPoolClosedError || error instanceof EnrichmentWorkerStartError) {
    return new TransientError(error.code, error.message, { cause: error });
  }
  return new PermanentError(error.code, error.message, { cause: error });
}
