/** bench/results/storage-<timestamp>.{json,md}: the run's numbers with the machine and commit they came from. */
import { writeBenchResults } from '../run-context';

import { type StorageBenchOptions } from './options';
import {
  type AimCheck,
  type StorageReport,
  aimLine,
  chunkLine,
  copyFootnote,
  copyTablesRows,
  cpuLine,
  int,
  latencyRows,
  markdownTable,
  rssLine,
  throughputRows,
} from './report';

export interface RunRecord {
  startedAt: Date;
  loadAtStart: number[];
  options: StorageBenchOptions;
  brokers: string[];
  database: string;
  report: StorageReport;
  aims: AimCheck[];
  notes: string[];
}

export function writeStorageResults(root: string, run: RunRecord): string[] {
  const { report } = run;
  return writeBenchResults(root, {
    benchmark: 'storage',
    title: 'Storage benchmark',
    startedAt: run.startedAt,
    loadAtStart: run.loadAtStart,
    json: () => ({
      options: run.options,
      brokers: run.brokers,
      database: run.database,
      ...report,
      aims: run.aims,
      notes: run.notes,
    }),
    markdown: () => [
      `- Options: ${JSON.stringify(run.options)}`,
      `- Corpus: ${int(report.corpus.used)} of ${int(report.corpus.cached)} Reuters-21578 articles (≥ ${run.options.minWords} words), ` +
        `mean ${report.corpus.meanWords.toFixed(0)} words, ${report.corpus.meanEntities.toFixed(1)} entities, ` +
        `${report.corpus.meanKeywords.toFixed(1)} keywords; ${report.corpus.generated ? `enriched in ${report.corpus.seconds.toFixed(1)} s` : 'from the cache'}`,
      '',
      '## Throughput',
      '',
      markdownTable(throughputRows(report)),
      '',
      `- ${cpuLine(report.consumer)}`,
      `- ${chunkLine(report.consumer)}`,
      `- Steady rate (10% to 90% of the events): ${report.consumer.steadyArticlesPerSecond === undefined ? 'n/a' : `${int(report.consumer.steadyArticlesPerSecond)} articles/s`}`,
      `- Service start to consumer in its group (not measured): ${report.consumer.startupSeconds.toFixed(1)} s; publishing the events beforehand: ${report.consumer.publishSeconds.toFixed(1)} s`,
      '',
      '### COPY per table',
      '',
      markdownTable(copyTablesRows(report.copy)),
      '',
      copyFootnote(report.copy),
      '',
      ...(report.queries
        ? [
            `## Query latency (${int(report.queries.storedArticles)} articles, ${int(report.queries.requests)} requests after ${int(report.queries.warmup)} untimed)`,
            '',
            markdownTable(latencyRows(report.queries)),
            '',
          ]
        : []),
      `- ${rssLine(report)}`,
      '',
      '## Aims',
      '',
      ...run.aims.map((check) => `- ${aimLine(check).replace(/^(PASS|FAIL)/, '**$1**')}`),
      ...(run.notes.length > 0 ? ['', '## Notes', '', ...run.notes.map((note) => `- ${note}`)] : []),
      '',
    ],
  });
}
