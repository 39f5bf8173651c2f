import { checkPromQL, comparisons, tokenize } from './promql';

const context = {
  knownMetrics: new Set(['up', 'http_requests_total', 'latency_seconds_bucket']),
  variables: new Set(['__rate_interval', 'service']),
};

describe('checkPromQL', () => {
  it.each([
    'up',
    'up{job="newsflow",service=~"$service"} == 0',
    'sum by (le, stage) (rate(latency_seconds_bucket{code!="5xx"}[$__rate_interval]))',
    'histogram_quantile(0.99, sum(rate(latency_seconds_bucket[5m])) by (le)) > 30',
    'sum by (group) (deriv(http_requests_total[10m])) > 0 and sum by (group) (http_requests_total) > 1000',
    '(max by (service) (up) > 0) unless on (service) (sum by (service) (increase(http_requests_total[10m])) > 0)',
    'max_over_time(up[1h:5m]) offset 1h',
    'label_replace(up, "dst", "$1", "service", "(.*)")',
    'time() - up',
  ])('accepts %s', (expr) => {
    expect(checkPromQL(expr, context)).toEqual([]);
  });

  it.each([
    ['', 'empty expression'],
    ['sum(rate(up[5m])', 'unclosed "(" at 3'],
    ['up{job="newsflow"', 'unclosed "{" at 2'],
    ['sum(up))', 'unbalanced ")" at 7'],
    ['up{job="newsflow}', 'unterminated string starting at 7'],
    ['rate(up[five])', '"five" at 8 is not a duration in a range selector'],
    ['rates(up[5m])', 'unknown function rates() at 0'],
    ['sum(http_request_total)', 'unknown metric http_request_total at 4'],
    ['up{service="$service"} * $instance', 'unknown variable $instance at 25'],
    ['sum by le (up)', '"by" at 4 needs a list of labels in parentheses'],
    ['up ; 1', 'unexpected ";" at 3'],
  ])('rejects %j: %s', (expr, problem) => {
    expect(checkPromQL(expr, context)).toContain(problem);
  });
});

describe('tokenize', () => {
  it('tells durations from numbers and keeps strings whole', () => {
    expect(tokenize('rate(x{a="b c"}[1h30m]) > 0.5').map((token) => `${token.kind}:${token.text}`)).toEqual([
      'identifier:rate',
      'punct:(',
      'identifier:x',
      'punct:{',
      'identifier:a',
      'operator:=',
      'string:"b c"',
      'punct:}',
      'punct:[',
      'duration:1h30m',
      'punct:]',
      'punct:)',
      'operator:>',
      'number:0.5',
    ]);
  });
});

describe('comparisons', () => {
  it('lists comparisons outside label matchers with the operand that follows', () => {
    expect(comparisons('up{code!="5xx"} == bool 0 and x > -1 or y < z')).toEqual([
      { operator: '==', operand: '0' },
      { operator: '>', operand: '-1' },
      { operator: '<', operand: 'z' },
    ]);
  });
});
