import { MetricsService } from './metrics.service';

describe('MetricsService end-to-end latency', () => {
  it('observes the seconds since the article was first seen, per stage reached', async () => {
    const metrics = new MetricsService();
    const now = new Date('2026-01-01T00:00:10.000Z');
    metrics.observeEndToEnd('stored', '2026-01-01T00:00:07.500Z', now);
    metrics.observeEndToEnd('stored', '2026-01-01T01:00:09.000+01:00', now);
    const text = await metrics.registry.getSingleMetricAsString('newsflow_end_to_end_latency_seconds');
    // 2.5 s and 1 s (the second one written in another zone).
    expect(text).toContain('newsflow_end_to_end_latency_seconds_bucket{le="0.5",to="stored"} 0');
    expect(text).toContain('newsflow_end_to_end_latency_seconds_bucket{le="1",to="stored"} 1');
    expect(text).toContain('newsflow_end_to_end_latency_seconds_bucket{le="2.5",to="stored"} 2');
    expect(text).toContain('newsflow_end_to_end_latency_seconds_sum{to="stored"} 3.5');
    expect(text).toContain('newsflow_end_to_end_latency_seconds_bucket{le="3600",to="stored"} 2');
  });

  it('counts a first sighting in the future (another host clock) as 0, and skips one that does not parse', async () => {
    const metrics = new MetricsService();
    const now = new Date('2026-01-01T00:00:00.000Z');
    metrics.observeEndToEnd('notified', '2026-01-01T00:00:02.000Z', now);
    metrics.observeEndToEnd('notified', 'not a time', now);
    const text = await metrics.registry.getSingleMetricAsString('newsflow_end_to_end_latency_seconds');
    expect(text).toContain('newsflow_end_to_end_latency_seconds_count{to="notified"} 1');
    expect(text).toContain('newsflow_end_to_end_latency_seconds_bucket{le="0.05",to="notified"} 1');
  });
});
