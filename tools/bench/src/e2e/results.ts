/** bench/results/e2e-<timestamp>.{json,md}: the run's numbers with the machine and commit they came from. */
import { writeBenchResults } from '../run-context';
import { type E2eBenchOptions } from './options';
import { tableWritesLine } from './table-writes';
import {
  type AimCheck,
  type E2eReport,
  aimLine,
  cpuLine,
  enrichAloneLine,
  idleLine,
  lagLine,
  markdownTable,
  phaseTitle,
  pipelineCpuLine,
  postgresLine,
  rssLine,
  stageRows,
} from './report';

export interface RunRecord {
  startedAt: Date;
  loadAtStart: number[];
  options: E2eBenchOptions;
  brokers: string;
  ownBroker: boolean;
  corpus: { articles: number; repeatsLeftOut: number };
  report: E2eReport;
  aims: AimCheck[];
  notes: string[];
  idleSeconds: number;
}

export function writeE2eResults(root: string, run: RunRecord): string[] {
  return writeBenchResults(root, {
    benchmark: 'e2e',
    title: 'End-to-end benchmark',
    startedAt: run.startedAt,
    loadAtStart: run.loadAtStart,
    json: () => ({
      options: run.options,
      brokers: run.ownBroker ? 'own broker' : run.brokers,
      corpus: run.corpus,
      ...run.report,
      aims: run.aims,
      notes: run.notes,
    }),
    markdown: (machine) => [
      `- Kafka: ${run.ownBroker ? 'a broker of its own on this machine' : run.brokers}; Postgres on this machine`,
      `- Options: ${JSON.stringify(run.options)}`,
      `- ${idleLine(run.report.idleCpu, run.idleSeconds)}`,
      '',
      ...run.report.phases.flatMap((phase) => [
        `## ${phaseTitle(phase)}`,
        '',
        markdownTable(stageRows(phase)),
        '',
        `- ${cpuLine(phase)}`,
        `- ${pipelineCpuLine(phase, machine.cpus)}`,
        `- ${postgresLine(phase)}`,
        `- ${tableWritesLine(phase.tableWrites, phase.articles.text + phase.articles.ndjson)}`,
        `- ${lagLine(phase)}`,
        '',
      ]),
      ...(enrichAloneLine(run.report) ? [`- ${enrichAloneLine(run.report) ?? ''}`] : []),
      `- ${rssLine(run.report)}`,
      '',
      '## Aims',
      '',
      ...run.aims.map((check) => `- ${aimLine(check).replace(/^(PASS|FAIL)/, '**$1**')}`),
      ...(run.notes.length > 0 ? ['', '## Notes', '', ...run.notes.map((note) => `- ${note}`)] : []),
      '',
    ],
  });
}
