import { histogramQuantile, summarise } from './pipeline-status';
import { parsePrometheusText } from './prometheus-text';
import { NOW, pipelineScrapes } from './status-fixtures';

describe('summarise', () => {
  const status = summarise(pipelineScrapes(), NOW);

  it('counts each stage by outcome, with its rate over the interval between the two scrapes', () => {
    const enrichment = status.stages.find((row) => row.stage === 'enrichment');
    expect(enrichment).toMatchObject({
      known: true,
      total: 130,
      byOutcome: { success: 128, dead_lettered: 2 },
      deadLetters: 2,
      retries: 5,
    });
    expect(enrichment?.ratePerSecond).toBeCloseTo(10, 5);
    expect(status.rateWindowSeconds).toBe(3);
  });

  it('lists the stages in pipeline order, unknown for a service that gave no metrics, 0 for one that counted none', () => {
    expect(status.stages.map((row) => [row.stage, row.known, row.total])).toEqual([
      ['ingestion', true, 0],
      ['enrichment', true, 130],
      ['storage', false, 0],
      ['storage_enrichment', false, 0],
      ['notification', true, 100],
    ]);
  });

  it('sums lag messages over partitions and keeps the oldest message per group and topic', () => {
    expect(status.lag).toEqual([
      {
        group: 'newsflow-enrichment',
        topic: 'news.articles.ingested.v1',
        messages: 12,
        seconds: 4.2,
        partitions: 2,
        laggingPartitions: 1,
      },
      {
        group: 'newsflow-notification',
        topic: 'news.articles.enriched.v1',
        messages: 0,
        seconds: 0,
        partitions: 1,
        laggingPartitions: 0,
      },
    ]);
  });

  it('reports services, deliveries, dead letters and backlog, and which services are not up', () => {
    expect(status.services.find((row) => row.service === 'enrichment')).toMatchObject({
      uptimeSeconds: 3_720,
      rssBytes: 316_000_000,
      dbPool: { total: 3, idle: 2, waiting: 0 },
    });
    expect(status.deliveries).toEqual({
      pending: 3,
      held: 1,
      collected: 0,
      delivered: 36,
      retrying: 4,
      failed: 2,
    });
    expect(status.deadLetters).toBe(2);
    expect(status.ingestBacklog).toBe(5);
    expect(status.notUp).toEqual(['storage', 'notification']);
  });

  it('gives rates since start from one scrape', () => {
    const once = pipelineScrapes().map((scrape) => ({ ...scrape, scrapes: scrape.scrapes.slice(0, 1) }));
    const summary = summarise(once, NOW);
    expect(summary.rateWindowSeconds).toBeUndefined();
    // 100 articles in the 3,720 s since notification started.
    expect(summary.stages.find((row) => row.stage === 'notification')?.ratePerSecond).toBeCloseTo(
      100 / 3_720,
      6,
    );
  });
});

describe('histogramQuantile', () => {
  const buckets = parsePrometheusText(
    [
      'h_bucket{le="0.1"} 10',
      'h_bucket{le="0.5"} 90',
      'h_bucket{le="1"} 100',
      'h_bucket{le="+Inf"} 100',
    ].join('\n'),
  );

  it('interpolates within the bucket the rank falls in, as histogram_quantile does', () => {
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.1 + 0.4 * (40 / 80), 10);
    expect(histogramQuantile(0.95, buckets)).toBeCloseTo(0.5 + 0.5 * (5 / 10), 10);
    expect(histogramQuantile(0.05, buckets)).toBeCloseTo(0.05, 10);
  });

  it('answers the highest finite bound for ranks in +Inf, and nothing for an empty histogram', () => {
    const overflowing = parsePrometheusText('h_bucket{le="1"} 1\nh_bucket{le="+Inf"} 10');
    expect(histogramQuantile(0.99, overflowing)).toBe(1);
    expect(
      histogramQuantile(0.5, parsePrometheusText('h_bucket{le="1"} 0\nh_bucket{le="+Inf"} 0')),
    ).toBeUndefined();
  });
});
