import { summarizeLatencies } from '../storage/latency';
import {
  type E2eReport,
  type PhaseReport,
  aimLine,
  checkE2eAims,
  cpuLine,
  idleLine,
  perSecond,
  pipelineCpuLine,
  pipelineCpuPerArticle,
  postgresLine,
  stageRows,
  warmupLine,
} from './report';
import { stageResult } from './timeline';

function phase(name: PhaseReport['name'], latencyMs: number, rate: number | undefined): PhaseReport {
  // 100 articles dropped 10 ms apart, each reaching every stage `latencyMs` later.
  const drops = new Map(Array.from({ length: 100 }, (_, i) => [`id${i}`, i * 10] as const));
  const reached = new Map([...drops].map(([id, at]) => [id, at + latencyMs] as const));
  const result = stageResult(drops, reached);
  return {
    name,
    offeredRate: rate,
    files: { text: 100, ndjson: 0 },
    articles: { text: 100, ndjson: 0 },
    dropSeconds: 0.99,
    seconds: 2,
    stages: { ingested: result, enriched: result, stored: result, notified: result },
    middleRates: { ingested: 100, enriched: 100, stored: 100, notified: undefined },
    storedByKind: { text: summarizeLatencies([latencyMs]) },
    cpuSeconds: { storage: 0.5, postgres: undefined, enrichment: 1.5 },
    postgresByService: { storage: 2, ingestion: undefined },
    tableWrites: [],
    peakLag: {},
    rowsWithEnrichment: 100,
    stalled: false,
  };
}

function report(fullLatencyMs: number, steadyLatencyMs: number, aloneRate: number): E2eReport {
  const full = phase('full', fullLatencyMs, undefined);
  return {
    idleCpu: {},
    phases: [phase('steady', steadyLatencyMs, 100), full],
    enrichmentAlone: {
      articles: 100,
      seconds: 1,
      articlesPerSecond: aloneRate,
      cpuSeconds: 1,
      articlesPerCpuSecond: aloneRate,
    },
    shareOfEnrichmentAlone: full.stages.stored.articlesPerSecond / aloneRate,
    peakRss: {},
  };
}

describe('checkE2eAims', () => {
  it('checks each aim on its own: the rate, the share of the enrichment alone, the steady p99', () => {
    // Full speed: 100 articles dropped over 990 ms, each 10 ms later: 100 articles/s, under the aim.
    const checks = checkE2eAims(report(10, 400, 120));
    expect(checks.map((check) => check.pass)).toEqual([false, true, true]);
    expect(checks[0]?.measured).toBe('100 articles/s');
    expect(checks[1]?.measured).toBe('83%');
    expect(checks[2]).toMatchObject({ aim: 'p99 drop to stored at 100 articles/s', measured: '400 ms' });
  });

  it('fails a p99 of 1 s or more and a share under 70%', () => {
    const checks = checkE2eAims(report(10, 1_000, 1_000));
    expect(checks[1]?.pass).toBe(false);
    expect(checks[2]?.pass).toBe(false);
    expect(aimLine(checks[2] ?? { aim: '', target: '', measured: '', pass: undefined })).toMatch(/^FAIL p99/);
  });

  it('says "not run" for phases that were skipped', () => {
    const checks = checkE2eAims({
      idleCpu: {},
      phases: [],
      enrichmentAlone: undefined,
      shareOfEnrichmentAlone: undefined,
      peakRss: {},
    });
    expect(checks.every((check) => check.pass === undefined && check.measured === 'not run')).toBe(true);
    expect(aimLine(checks[0] ?? { aim: '', target: '', measured: '', pass: undefined })).toMatch(/^n\/a /);
  });
});

describe('stageRows', () => {
  it('has a header and one row per stage with counts, rates and percentiles', () => {
    const rows = stageRows(phase('steady', 250, 100));
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual([
      'drop to',
      'reached',
      'articles/s',
      'middle 80%',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'max ms',
    ]);
    expect(rows[3]).toEqual(['stored (with enrichment)', '100/100', '81', '100', '250', '250', '250', '250']);
    expect(rows[4]?.[3]).toBe('n/a');
  });
});

describe('postgresLine', () => {
  it('charges Postgres CPU to services, with the cost per article', () => {
    expect(postgresLine(phase('full', 10, undefined))).toBe(
      'Postgres CPU seconds by the service whose connections they served: storage 2.0 s, ingestion n/a (20.00 ms per article)',
    );
  });
});

describe('idleLine', () => {
  it('gives cores busy per process with nothing to do, leaving out the quiet ones', () => {
    const idle = perSecond({ storage: 0.5, broker: 1, ingestion: 0.01, postgres: undefined }, 5);
    expect(idle).toEqual({ storage: 0.1, broker: 0.2, ingestion: 0.002, postgres: undefined });
    expect(idleLine(idle, 5)).toBe(
      'Idle for 5 s before the phases: 0.30 cores busy (storage 0.10, broker 0.20)',
    );
  });
});

describe('pipelineCpuLine', () => {
  it('counts the pipeline, not the benchmark or other databases, and gives the CPU-bound rate', () => {
    const full = {
      ...phase('full', 10, undefined),
      cpuSeconds: {
        storage: 0.3,
        enrichment: 0.5,
        benchmark: 5,
        'postgres (rest of the server)': 7,
        'kafka broker': 0.2,
      },
    };
    expect(pipelineCpuPerArticle(full)).toBeCloseTo(0.01, 10);
    expect(pipelineCpuLine(full, 2)).toBe(
      'Pipeline CPU per article (services, their Postgres backends, the broker): 10.0 ms, so at most 200 articles/s with all 2 cores to the pipeline',
    );
  });

  it('says n/a when a process could not be read', () => {
    expect(pipelineCpuLine(phase('full', 10, undefined), 2)).toBe('Pipeline CPU per article: n/a');
  });
});

describe('cpuLine', () => {
  it('sums the known CPU seconds into cores busy over the phase', () => {
    expect(cpuLine(phase('full', 10, undefined))).toBe(
      'CPU seconds over the 2.0 s of the phase: storage 0.5 s, postgres n/a, enrichment 1.5 s; 2.0 s in all = 1.00 cores busy',
    );
  });
});

describe('warmupLine', () => {
  it('says how many articles warmed the pipeline up and that all of them came through', () => {
    expect(warmupLine(phase('warm-up', 40, 100))).toBe(
      'Warm-up (not measured): 100 articles at 100/s, 100 stored and 100 webhooks within 2.0 s',
    );
  });
});
