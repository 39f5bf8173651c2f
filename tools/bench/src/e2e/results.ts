/** bench/results/e2e-<timestamp>.{json,md}: the run's numbers with the machine and commit they came from. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { describeMachine, gitState, resultStamp } from '../run-context';
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
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = resultStamp(run.startedAt);
  const machine = describeMachine(run.loadAtStart);
  const git = gitState(root);
  const jsonPath = join(dir, `e2e-${stamp}.json`);
  writeFileSync(
    jsonPath,
    `${JSON.stringify(
      {
        benchmark: 'e2e',
        startedAt: run.startedAt.toISOString(),
        machine,
        git,
        options: run.options,
        brokers: run.ownBroker ? 'own broker' : run.brokers,
        corpus: run.corpus,
        ...run.report,
        aims: run.aims,
        notes: run.notes,
      },
      null,
      2,
    )}\n`,
  );
  const md = [
    `# End-to-end benchmark, ${run.startedAt.toISOString()}`,
    '',
    `- Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.totalMemoryMb} MB RAM, ${machine.platform}, Node ${machine.node}`,
    `- Load average (1/5/15 min) at start ${machine.loadAverageAtStart.join(' / ')}, at end ${machine.loadAverageAtEnd.join(' / ')}`,
    `- Commit: ${git.commit}${git.dirty ? ' (with uncommitted changes)' : ''}`,
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
  ].join('\n');
  const mdPath = join(dir, `e2e-${stamp}.md`);
  writeFileSync(mdPath, md);
  return [jsonPath, mdPath];
}
