import { Inject } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type Logger } from 'pino';

import { type EnrichmentV1, Topic, traceIdOf } from '@newsflow/contracts';
import { type ArticleAnalysis, rankKeywords } from '@newsflow/enrichment';
import { type ConsumedEvent, EventPublisher } from '@newsflow/kafka';
import { KafkaBatchContext, KafkaBatchPattern, KafkaEventController } from '@newsflow/nest-kafka';
import { MetricsService, ROOT_LOGGER, inSpan } from '@newsflow/observability';

import { type AnalysisOutcome, AnalysisMemo } from './analysis/analysis-memo';
import { ArticleAnalyser } from './analysis/article-analyser';
import { KeyphraseFrequencyStore } from './keyphrases/keyphrase-frequency.store';
import { NearDuplicateIndex, type StoryLookupResult } from './stories/near-duplicate.index';

type IngestedEvent = ConsumedEvent<typeof Topic.ArticleIngestedV1>;

/**
 * Articles per call. Smaller than the services' KAFKA_MAX_BATCH_SIZE: a chunk that fails for good
 * (one poison article) is analysed again one article per call, and its enriched events (about 12 KB
 * each, the article included) go out in one produce request, where each partition's share must stay
 * well under the broker's 1 MB message.max.bytes (100 events over 6 partitions: about 200 KB each).
 * At 100 the per-chunk costs (one produce request, one commit, two near-duplicate round trips) are
 * already a hundredth of the per-article ones they replace.
 */
export const ENRICHMENT_CHUNK_SIZE = 100;

@KafkaEventController()
export class ArticleEnrichmentHandler {
  private readonly logger: Logger;
  /** A few chunks' worth: the runtime calls again at once after a failure, on the same partition. */
  private readonly failedChunks = new AnalysisMemo(4 * ENRICHMENT_CHUNK_SIZE);

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
   * Enriches a chunk of one partition (in offset order) as if one article after the other: analyses
   * them off the event loop (the worker pool bounds how many at once, each with its deadline), places
   * them in their stories in offset order, ranks each one's keywords against the stream's frequencies
   * and publishes every result in one request; the offsets commit after the broker acknowledged it.
   *
   * Any failure fails the whole chunk (nothing is published): the runtime retries it, then handles its
   * articles one per call, so a poison article ends on the dead-letter topic with its own code
   * (ENRICHMENT_TIMEOUT, ENRICHMENT_WORKER_CRASHED...) while the others are published. Those calls reuse
   * the failed attempt's analyses (see AnalysisMemo). Articles fingerprinted by the failed attempt are
   * replays to the next one, answered as the first time and not counted again.
   */
  @KafkaBatchPattern(Topic.ArticleIngestedV1, { maxBatchSize: ENRICHMENT_CHUNK_SIZE })
  async onArticlesIngested(
    @Payload() events: IngestedEvent[],
    @Ctx() context: KafkaBatchContext,
  ): Promise<void> {
    const outcomes = await this.analyseAll(events, context);
    try {
      await this.enrichAndPublish(events, outcomes, context);
    } catch (error) {
      events.forEach((event, index) => this.failedChunks.remember(event, outcomes[index] as AnalysisOutcome));
      throw error;
    }
  }

  private async enrichAndPublish(
    events: readonly IngestedEvent[],
    outcomes: readonly AnalysisOutcome[],
    context: KafkaBatchContext,
  ): Promise<void> {
    // The first failure in offset order is the chunk's.
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    const analyses = outcomes.map((outcome) => (outcome as PromiseFulfilledResult<ArticleAnalysis>).value);
    const stories = await this.placeInStories(events, analyses);
    const enrichments = analyses.map((analysis, index) =>
      // Ranked in offset order, each against the counts of the articles before it: as one by one.
      this.rankAndCount(analysis, stories[index] as StoryLookupResult),
    );
    await this.publisher.publishMany(
      Topic.ArticleEnrichedV1,
      events.map((event, index) => ({
        key: event.payload.id,
        payload: { article: event.payload, enrichment: enrichments[index] as EnrichmentV1 },
        // Each article's trace goes on under its own consumer span; its correlation from its ingested event.
        cause: event.metadata,
        traceParent: context.traceParentOf(index),
      })),
    );
    const enrichedAt = new Date();
    this.metrics.articles.inc({ stage: 'enrichment', outcome: 'success' }, events.length);
    events.forEach((event, index) => {
      this.metrics.observeEndToEnd('enriched', event.payload.firstSeenAt, enrichedAt);
      const enrichment = enrichments[index];
      this.logger.debug(
        {
          articleId: event.payload.id,
          traceId: traceIdOf(event.metadata.traceParent),
          language: enrichment?.language.code,
          nearDuplicateOf: enrichment?.nearDuplicate?.of,
        },
        'article enriched',
      );
    });
  }

  /**
   * The outcome of every analysis of the chunk, each in a span under its article's consumer span (unless a failed
   * attempt already ran it). Settles all of them, so no analysis of a failed chunk still holds a worker
   * when its articles are handled again.
   */
  private async analyseAll(
    events: readonly IngestedEvent[],
    context: KafkaBatchContext,
  ): Promise<AnalysisOutcome[]> {
    return Promise.all(
      events.map((event, index) => {
        const remembered = this.failedChunks.take(event);
        return remembered
          ? Promise.resolve(remembered)
          : this.analyse(event, context.traceParentOf(index) ?? event.metadata.traceParent);
      }),
    );
  }

  private async analyse(event: IngestedEvent, parent: string | undefined): Promise<AnalysisOutcome> {
    try {
      const value = await inSpan(
        'analyse article',
        { parent, attributes: { 'newsflow.article.id': event.payload.id } },
        () => this.analyser.analyse(event.payload),
      );
      return { status: 'fulfilled', value };
    } catch (reason) {
      return { status: 'rejected', reason };
    }
  }

  /** One lookup for the articles with a SimHash (a text too short has none: a story of its own). */
  private async placeInStories(
    events: readonly IngestedEvent[],
    analyses: readonly ArticleAnalysis[],
  ): Promise<StoryLookupResult[]> {
    const lookups = events.flatMap((event, index) => {
      const simhash = analyses[index]?.enrichment.simhash;
      return simhash
        ? [{ index, input: { articleId: event.payload.id, simhash, publishedAt: event.payload.publishedAt } }]
        : [];
    });
    const found = await this.stories.resolveMany(lookups.map((lookup) => lookup.input));
    const stories: StoryLookupResult[] = events.map(() => ({ firstSighting: true }));
    lookups.forEach((lookup, position) => {
      stories[lookup.index] = found[position] as StoryLookupResult;
    });
    return stories;
  }

  private rankAndCount(analysis: ArticleAnalysis, story: StoryLookupResult): EnrichmentV1 {
    const enrichment: EnrichmentV1 = {
      ...analysis.enrichment,
      keywords: rankKeywords(analysis.keyphrases, analysis.textLength, this.keyphrases.frequencies),
      ...(story.nearDuplicate && { nearDuplicate: story.nearDuplicate }),
    };
    // A redelivered or replayed article must not count twice in the stream's statistics.
    if (story.firstSighting) this.keyphrases.observe(analysis.keyphrases.map((c) => c.phrase));
    return enrichment;
  }
}
