import { type PhaseResult } from './phase-types';
import { checkAims, markdownTable, summarize } from './report';

function result(overrides: Partial<PhaseResult>): PhaseResult {
  return {
    phase: 'publish-ndjson',
    articles: 10_000,
    rejected: 0,
    published: 10_000,
    bytes: 1_000_000_000,
    seconds: 2,
    cpuSeconds: 1,
    rssStart: 60_000_000,
    rssPeak: 150_000_000,
    heapUsedPeak: 40_000_000,
    externalPeak: 10_000_000,
    memorySamples: 40,
    ...overrides,
  };
}

describe('summarize', () => {
  it('derives the rates', () => {
    expect(summarize(result({}))).toMatchObject({
      articlesPerSecond: 5_000,
      articlesPerCpuSecond: 10_000,
      mbPerSecond: 500,
    });
  });
});

describe('checkAims', () => {
  it('checks throughput of both publish phases and the RSS of the large NDJSON phase', () => {
    const checks = checkAims([
      summarize(result({ phase: 'parse-text' })),
      summarize(result({ phase: 'publish-text', seconds: 4 })),
      summarize(result({ rssPeak: 200_000_000 })),
    ]);
    expect(checks.map((check) => [check.phase, check.pass])).toEqual([
      ['publish-text', false],
      ['publish-ndjson', true],
      ['publish-ndjson', false],
    ]);
  });

  it('notes when the NDJSON file was smaller than 1 GB', () => {
    const [, rss] = checkAims([summarize(result({ bytes: 100_000_000 }))]);
    expect(rss?.note).toBe('the file was 100.0 MB, not 1 GB');
  });
});

describe('markdownTable', () => {
  it('has one row per phase and as many cells as header columns', () => {
    const lines = markdownTable([summarize(result({})), summarize(result({ phase: 'parse-text' }))]).split(
      '\n',
    );
    expect(lines).toHaveLength(4);
    const cells = lines.map((line) => line.split('|').length);
    expect(new Set(cells).size).toBe(1);
  });
});
