import { summarise } from './pipeline-status';
import { NOW, pipelineScrapes } from './status-fixtures';
import { formatDuration, formatRate, renderStatus, renderTable } from './status-table';

describe('renderTable', () => {
  it('pads columns to their widest cell, numbers to the right, with no trailing spaces', () => {
    expect(
      renderTable(
        [{ header: 'STAGE' }, { header: 'ARTICLES', align: 'right' }, { header: 'NOTE' }],
        [
          ['enrichment', '1,204', ''],
          ['storage', '7', 'slow'],
        ],
      ),
    ).toEqual(['STAGE       ARTICLES  NOTE', 'enrichment     1,204', 'storage            7  slow']);
  });
});

describe('formatting numbers', () => {
  it('writes durations the way people read them', () => {
    expect(formatDuration(0)).toBe('0');
    expect(formatDuration(0.0423)).toBe('42 ms');
    expect(formatDuration(3.214)).toBe('3.21 s');
    expect(formatDuration(42.06)).toBe('42.1 s');
    expect(formatDuration(754)).toBe('12m 34s');
    expect(formatDuration(7_380)).toBe('2h 03m');
    expect(formatDuration(200_000)).toBe('2d 07h');
    expect(formatDuration(undefined)).toBe('-');
  });

  it('writes rates with one decimal, large ones as counts', () => {
    expect(formatRate(0.04)).toBe('0.0');
    expect(formatRate(12.345)).toBe('12.3');
    expect(formatRate(1_234.5)).toBe('1,235');
    expect(formatRate(undefined)).toBe('-');
  });
});

describe('renderStatus', () => {
  const text = renderStatus(summarise(pipelineScrapes(), NOW));
  const lines = text.split('\n');

  it('heads the output with the time and where the rates come from', () => {
    expect(lines[0]).toBe('Newsflow pipeline at 2026-11-27 10:15:02 UTC (rates over the last 3.0 s)');
  });

  it('shows every service, a down one with the reason', () => {
    expect(lines).toContainEqual(
      expect.stringMatching(/^enrichment\s+up\s+1h 02m\s+301 MB\s+3\/2\/0\s+http:\/\/127\.0\.0\.1:3001$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^storage\s+down\s+-\s+-\s+-\s+http:\/\/127\.0\.0\.1:3002 {2}connect ECONNREFUSED/,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^notification\s+unready\s.*503 \(kafka: not in its group\)/),
    );
  });

  it('shows stages with counts, rates, dead letters and other outcomes', () => {
    expect(lines).toContainEqual(
      expect.stringMatching(/^enrichment\s+130\s+10\.0\s+128\s+2\s+5\s+dead_lettered 2$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^storage\s+-\s+-\s+-\s+-\s+-\s+\(storage gave no metrics\)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^notification\s+100\s+0\.0\s+40\s+0\s+0\s+no_match 60$/),
    );
  });

  it('shows latency percentiles, lag per group, deliveries and what is not up', () => {
    expect(lines).toContainEqual(
      expect.stringMatching(/^first seen → enriched\s+100\s+300 ms\s+750 ms\s+950 ms$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^newsflow-enrichment\s+news\.articles\.ingested\.v1\s+12\s+4\.20 s\s+1\/2$/),
    );
    expect(text).toContain(
      'Deliveries: 3 pending, 1 held, 0 in digests; since start 36 delivered, 4 retried, 2 failed',
    );
    expect(text).toContain('Dead letters since start: 2');
    expect(text).toContain('Ingest backlog: 5 objects');
    expect(lines[lines.length - 1]).toBe('Not up: storage, notification');
  });
});
