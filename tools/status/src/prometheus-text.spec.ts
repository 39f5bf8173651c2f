import { Registry, Counter, Histogram } from 'prom-client';

import { ExpositionError, parsePrometheusText } from './prometheus-text';

describe('parsePrometheusText', () => {
  it('reads samples with and without labels, skipping HELP, TYPE and comments', () => {
    const text = [
      '# HELP newsflow_articles_total Articles handled',
      '# TYPE newsflow_articles_total counter',
      'newsflow_articles_total{stage="storage",outcome="success"} 1204',
      'newsflow_ingest_backlog_objects 3',
      '',
      '# a comment',
      'process_start_time_seconds 1764150000',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual([
      { name: 'newsflow_articles_total', labels: { stage: 'storage', outcome: 'success' }, value: 1204 },
      { name: 'newsflow_ingest_backlog_objects', labels: {}, value: 3 },
      { name: 'process_start_time_seconds', labels: {}, value: 1_764_150_000 },
    ]);
  });

  it('unescapes label values and reads special values, exponents and timestamps', () => {
    const samples = parsePrometheusText(
      [
        'm{path="C:\\\\inbox",msg="say \\"hi\\"\\nbye",empty=""} 1.5e3 1764150000000',
        'h_bucket{le="+Inf"} +Inf',
        'g -Inf',
        'n NaN',
        'trailing{a="1",} -0.25',
        'prom_client_nan Nan',
      ].join('\n'),
    );
    expect(samples[0]).toEqual({
      name: 'm',
      labels: { path: 'C:\\inbox', msg: 'say "hi"\nbye', empty: '' },
      value: 1500,
    });
    expect(samples[1]?.value).toBe(Number.POSITIVE_INFINITY);
    expect(samples[1]?.labels).toEqual({ le: '+Inf' });
    expect(samples[2]?.value).toBe(Number.NEGATIVE_INFINITY);
    expect(samples[3]?.value).toBeNaN();
    expect(samples[4]).toEqual({ name: 'trailing', labels: { a: '1' }, value: -0.25 });
    expect(samples[5]?.value).toBeNaN();
  });

  it('names the line of a malformed sample', () => {
    expect(() => parsePrometheusText('ok 1\nbroken{stage="x" 1')).toThrow(ExpositionError);
    expect(() => parsePrometheusText('ok 1\nbroken{stage="x" 1')).toThrow(/line 2/);
    expect(() => parsePrometheusText('no_value')).toThrow(/expected a value/);
    expect(() => parsePrometheusText('m{a="open} 1')).toThrow(/unterminated/);
    expect(() => parsePrometheusText('m one')).toThrow(/"one" is not a number/);
  });

  it('reads what prom-client writes, histograms included', async () => {
    const registry = new Registry();
    new Counter({ name: 'c_total', help: 'h', labelNames: ['stage'], registers: [registry] }).inc(
      { stage: 'a "quoted" stage' },
      2,
    );
    const histogram = new Histogram({
      name: 'd_seconds',
      help: 'h',
      buckets: [0.1, 1],
      registers: [registry],
    });
    histogram.observe(0.5);
    const samples = parsePrometheusText(await registry.metrics());
    expect(samples).toContainEqual({ name: 'c_total', labels: { stage: 'a "quoted" stage' }, value: 2 });
    expect(samples).toContainEqual({ name: 'd_seconds_bucket', labels: { le: '0.1' }, value: 0 });
    expect(samples).toContainEqual({ name: 'd_seconds_bucket', labels: { le: '+Inf' }, value: 1 });
    expect(samples).toContainEqual({ name: 'd_seconds_count', labels: {}, value: 1 });
  });
});
