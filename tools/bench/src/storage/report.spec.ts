import { type StorageReport, checkStorageAims, markdownTable, steadyRate, textTable } from './report';

const report = (articlesPerSecond: number, copyArticlesPerSecond: number, p95Ms?: number, stored = 100_000) =>
  ({
    consumer: { articlesPerSecond },
    copy: { articlesPerSecond: copyArticlesPerSecond },
    ratio: articlesPerSecond / copyArticlesPerSecond,
    queries: p95Ms === undefined ? undefined : { overall: { p95Ms }, storedArticles: stored },
  }) as unknown as StorageReport;

describe('checkStorageAims', () => {
  it('checks the rate, the ratio to COPY and the p95 against the issue aims', () => {
    const checks = checkStorageAims(report(6_000, 10_000, 20));
    expect(checks.map((check) => check.pass)).toEqual([true, true, true]);
    expect(checkStorageAims(report(4_000, 10_000, 60)).map((check) => check.pass)).toEqual([
      false,
      false,
      false,
    ]);
  });

  it('fails the latency aim on fewer than 100,000 articles, and leaves it out without a query phase', () => {
    const [, , latency] = checkStorageAims(report(6_000, 10_000, 20, 5_000));
    expect(latency?.pass).toBe(false);
    expect(latency?.note).toMatch(/fewer articles/);
    expect(checkStorageAims(report(6_000, 10_000))).toHaveLength(2);
  });
});

describe('steadyRate', () => {
  it('is the rate between 10% and 90% of the events, in articles', () => {
    const samples = [
      { at: 0, ingested: 0, enriched: 0 },
      { at: 1, ingested: 100, enriched: 100 },
      { at: 5, ingested: 900, enriched: 900 },
      { at: 6, ingested: 1000, enriched: 1000 },
    ];
    // 1,600 events in 4 s, two events per article.
    expect(steadyRate(samples, 2000, 0.5)).toBe(200);
    expect(steadyRate(samples.slice(0, 2), 2000, 0.5)).toBeUndefined();
  });
});

describe('tables', () => {
  const rows = [
    ['kind', 'n'],
    ['word', '12'],
    ['phrase', '3'],
  ];

  it('aligns plain text columns: the first to the left, numbers to the right', () => {
    expect(textTable(rows)).toBe('kind     n\nword    12\nphrase   3');
  });

  it('writes a Markdown table with a header rule', () => {
    expect(markdownTable(rows)).toBe('| kind | n |\n| --- | --- |\n| word | 12 |\n| phrase | 3 |');
  });
});
