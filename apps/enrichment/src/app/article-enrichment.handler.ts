import { Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { type Logger } from 'pino';

import { type ArticleIngestedV1, type EnrichmentV1, Topic, traceIdOf } from '@newsflow/contracts';
import { rankKeywords } from '@newsflow/enrichment';
import { EventPublisher } from '@newsflow/kafka';
import { KafkaEventContext, KafkaEventController } from '@newsflow/nest-kafka';
import { MetricsService, ROOT_LOGGER, inSpan } from '@newsflow/observability';

import { ArticleAnalyser } from './analysis/article-analyser';
import { KeyphraseFrequencyStore } from './keyphrases/keyphrase-frequency.store';
import { NearDuplicateIndex } from './stories/near-duplicate.index';

@KafkaEventController()
export class ArticleEnrichmentHandler {
  private readonly logger: Logger;

  constructor(
    private readonly analyser: ArticleAnalyser,
    private readonly stories: NearDuplicateIndex,
    private readonly keyphrases: KeyphraseFrequencyStore,
    private readonly publisher: EventPublisher,
    private readonly metrics: MetricsService,
    @Inject(ROOT_LOGGER) rootLogger: Logger,
  ) {
    this.logger = rootLogger.child({ component: 'enrichment' });
  }

  /**
   * Analyses the article off the event loop (with a deadline), places it in its story, ranks its
   * keywords against the stream's frequencies and publishes the result; the offset commits after the
   * publish is acknowledged.
   */
  @EventPattern(Topic.ArticleIngestedV1)
  async onArticleIngested(
    @Payload() article: ArticleIngestedV1,
    @Ctx() context: KafkaEventContext,
  ): Promise<void> {
    const analysis = await inSpan(
      'analyse article',
      { attributes: { 'newsflow.article.id': article.id } },
      () => this.analyser.analyse(article),
    );
    const { simhash } = analysis.enrichment;
    const story = simhash
      ? await this.stories.resolve({ articleId: article.id, simhash, publishedAt: article.publishedAt })
      : { firstSighting: true };
    const enrichment: EnrichmentV1 = {
      ...analysis.enrichment,
      keywords: rankKeywords(analysis.keyphrases, analysis.textLength, this.keyphrases.frequencies),
      ...(story.nearDuplicate && { nearDuplicate: story.nearDuplicate }),
    };
    // A redelivered or replayed article must not count twice in the stream's statistics.
    if (story.firstSighting) this.keyphrases.observe(analysis.keyphrases.map((c) => c.phrase));
    await this.publisher.publish({
      topic: Topic.ArticleEnrichedV1,
      key: article.id,
      payload: { article, enrichment },
      cause: context.event.metadata,
    });
    this.metrics.articles.inc({ stage: 'enrichment', outcome: 'success' });
    this.metrics.observeEndToEnd('enriched', article.firstSeenAt);
    this.logger.debug(
      {
        articleId: article.id,
        traceId: traceIdOf(context.event.metadata.traceParent),
        language: enrichment.language.code,
        nearDuplicateOf: enrichment.nearDuplicate?.of,
      },
      'article enriched',
    );
  }
}
