/** Scrapes of a running pipeline, for the specs of the summary and the table. */
import { parsePrometheusText } from './prometheus-text';
import { type ServiceScrape } from './scrape';

export const NOW = new Date('2026-11-27T10:15:02.000Z');
const STARTED = NOW.getTime() / 1000 - 3_720;

const scrape = (at: number, text: string) => ({ at, samples: parsePrometheusText(text) });

const enrichmentMetrics = (success: number) => `
process_start_time_seconds ${STARTED}
process_resident_memory_bytes 316000000
newsflow_db_pool_connections{state="total"} 3
newsflow_db_pool_connections{state="idle"} 2
newsflow_db_pool_connections{state="waiting"} 0
newsflow_articles_total{stage="enrichment",outcome="success"} ${success}
newsflow_articles_total{stage="enrichment",outcome="dead_lettered"} 2
newsflow_dead_letters_total{stage="enrichment",topic="news.articles.ingested.v1",code="ENRICHMENT_TIMEOUT"} 2
newsflow_retries_total{stage="enrichment",topic="news.articles.ingested.v1",code="DB_UNAVAILABLE"} 5
newsflow_end_to_end_latency_seconds_bucket{le="0.1",to="enriched"} 10
newsflow_end_to_end_latency_seconds_bucket{le="0.5",to="enriched"} 90
newsflow_end_to_end_latency_seconds_bucket{le="1",to="enriched"} 100
newsflow_end_to_end_latency_seconds_bucket{le="+Inf",to="enriched"} 100
newsflow_end_to_end_latency_seconds_sum{to="enriched"} 31
newsflow_end_to_end_latency_seconds_count{to="enriched"} 100
newsflow_consumer_lag_messages{group="newsflow-enrichment",topic="news.articles.ingested.v1",partition="0"} 12
newsflow_consumer_lag_messages{group="newsflow-enrichment",topic="news.articles.ingested.v1",partition="1"} 0
newsflow_consumer_lag_seconds{group="newsflow-enrichment",topic="news.articles.ingested.v1",partition="0"} 4.2
newsflow_consumer_lag_seconds{group="newsflow-enrichment",topic="news.articles.ingested.v1",partition="1"} 0
`;

const notificationMetrics = `
process_start_time_seconds ${STARTED}
newsflow_articles_total{stage="notification",outcome="success"} 40
newsflow_articles_total{stage="notification",outcome="no_match"} 60
newsflow_webhook_deliveries_queued{status="pending"} 3
newsflow_webhook_deliveries_queued{status="held"} 1
newsflow_webhook_deliveries_queued{status="collected"} 0
newsflow_webhook_deliveries_total{outcome="delivered"} 36
newsflow_webhook_deliveries_total{outcome="retrying"} 4
newsflow_webhook_deliveries_total{outcome="failed"} 2
newsflow_consumer_lag_messages{group="newsflow-notification",topic="news.articles.enriched.v1",partition="0"} 0
newsflow_consumer_lag_seconds{group="newsflow-notification",topic="news.articles.enriched.v1",partition="0"} 0
`;

/** Ingestion up with no articles counted yet, enrichment up and busy, storage down, notification not ready. */
export function pipelineScrapes(): ServiceScrape[] {
  const t0 = NOW.getTime() - 3_000;
  return [
    {
      service: 'ingestion',
      url: 'http://127.0.0.1:3000',
      health: { state: 'up' },
      scrapes: [
        scrape(t0, `process_start_time_seconds ${STARTED}\nnewsflow_ingest_backlog_objects 7\n`),
        scrape(t0 + 3_000, `process_start_time_seconds ${STARTED}\nnewsflow_ingest_backlog_objects 5\n`),
      ],
    },
    {
      service: 'enrichment',
      url: 'http://127.0.0.1:3001',
      health: { state: 'up' },
      scrapes: [scrape(t0, enrichmentMetrics(98)), scrape(t0 + 3_000, enrichmentMetrics(128))],
    },
    {
      service: 'storage',
      url: 'http://127.0.0.1:3002',
      health: { state: 'down', detail: 'connect ECONNREFUSED 127.0.0.1:3002' },
      scrapes: [],
      metricsError: 'connect ECONNREFUSED 127.0.0.1:3002',
    },
    {
      service: 'notification',
      url: 'http://127.0.0.1:3003',
      health: { state: 'unready', detail: '503 (kafka: not in its group)' },
      scrapes: [scrape(t0, notificationMetrics), scrape(t0 + 3_000, notificationMetrics)],
    },
  ];
}
