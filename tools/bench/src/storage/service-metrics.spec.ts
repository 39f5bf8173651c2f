import { drainMetrics, parseMetrics } from './service-metrics';

const EXPOSITION = `# HELP newsflow_consumer_batch_size Messages per chunk
# TYPE newsflow_consumer_batch_size histogram
newsflow_consumer_batch_size_bucket{le="500",stage="storage",topic="news.articles.enriched.v1"} 40
newsflow_consumer_batch_size_sum{stage="storage",topic="news.articles.enriched.v1"} 4000
newsflow_consumer_batch_size_count{stage="storage",topic="news.articles.enriched.v1"} 40
newsflow_consumer_batch_size_sum{stage="storage",topic="news.articles.ingested.v1"} 4000
newsflow_consumer_batch_size_count{stage="storage",topic="news.articles.ingested.v1"} 10
newsflow_dead_letters_total{stage="storage",topic="news.articles.enriched.v1",code="CONTRACT_VIOLATION"} 2
newsflow_dead_letters_total{stage="enrichment",topic="news.articles.ingested.v1",code="X"} 7
process_cpu_seconds_total 1.5
`;

describe('parseMetrics', () => {
  it('reads names, labels (escapes included) and values, and skips comments', () => {
    const samples = parseMetrics(`${EXPOSITION}odd{path="a\\"b"} 3\n`);
    expect(samples).toContainEqual({ name: 'process_cpu_seconds_total', labels: {}, value: 1.5 });
    expect(samples).toContainEqual({ name: 'odd', labels: { path: 'a"b' }, value: 3 });
    expect(samples.some((sample) => sample.name.startsWith('#'))).toBe(false);
  });
});

describe('drainMetrics', () => {
  it('gives the mean chunk per topic and the stage dead letters', () => {
    const metrics = drainMetrics(parseMetrics(EXPOSITION));
    expect(metrics.meanChunk).toEqual({ 'news.articles.enriched.v1': 100, 'news.articles.ingested.v1': 400 });
    expect(metrics.chunks).toEqual({ 'news.articles.enriched.v1': 40, 'news.articles.ingested.v1': 10 });
    expect(metrics.deadLetters).toBe(2);
  });
});
