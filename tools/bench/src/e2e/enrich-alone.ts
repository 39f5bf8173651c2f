/**
 * The enrichment alone, on the articles the pipeline was given: @newsflow/enrichment's `enrichArticle`
 * in this process, one thread, as `npm run bench:enrich` runs it. The enrichment service runs the same
 * library in one worker thread (ENRICH_WORKERS=1), so this rate is the ceiling of the pipeline; the
 * pipeline's rate over this one is its overhead (Kafka, Postgres, ingestion, storage, notification, all
 * sharing the same cores).
 */
import { type ParsedArticle } from '@newsflow/article-format';
import { enrichArticle, preloadGazetteer } from '@newsflow/enrichment';

const WARM_UP = 200;

export interface EnrichAloneResult {
  articles: number;
  seconds: number;
  articlesPerSecond: number;
  cpuSeconds: number;
  articlesPerCpuSecond: number;
}

export function measureEnrichmentAlone(articles: readonly ParsedArticle[]): EnrichAloneResult {
  if (articles.length === 0) throw new Error('No articles to enrich');
  preloadGazetteer();
  const now = new Date();
  for (let i = 0; i < Math.min(WARM_UP, articles.length); i++)
    enrichArticle(articles[i] as ParsedArticle, { now });
  const cpuStarted = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (const article of articles) enrichArticle(article, { now });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    articles: articles.length,
    seconds,
    articlesPerSecond: articles.length / seconds,
    cpuSeconds,
    articlesPerCpuSecond: articles.length / Math.max(cpuSeconds, Number.EPSILON),
  };
}
