/**
 * `npm run test:faults`: the fault suite of issue 7. Needs the services built (`npx nx run-many -t
 * build`), Java for the throw-away Kafka broker and Postgres at DATABASE_ADMIN_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres). Prints the table and writes JSON to .cache/faults/.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { type ReportRow, formatTable } from './accounting';
import { USAGE, parseArgs } from './args';
import { SCENARIO_NAMES, type ScenarioRun, runScenario } from './scenarios';
import { repoRoot } from './stack';

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed.kind === 'help') {
    out(USAGE);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`${parsed.message}\n\n${USAGE}\n`);
    return 2;
  }
  const { options } = parsed;
  const started = Date.now();
  const rows: ReportRow[] = [];
  const runs: (ScenarioRun & { scenario: number; name: string })[] = [];
  for (const number of options.scenarios) {
    const name = `${number} ${SCENARIO_NAMES[number]}`;
    out(`\n━━ scenario ${name}`);
    const run = await runScenario(number, options, out);
    rows.push({ scenario: name, outcome: run.outcome, seconds: run.seconds });
    runs.push({ ...run, scenario: number, name: SCENARIO_NAMES[number] });
    for (const detail of run.outcome.details) out(`  ! ${detail.split('\n')[0]}`);
  }
  out(`\n${formatTable(rows)}`);
  const seconds = (Date.now() - started) / 1000;
  out(`\ntotal ${seconds.toFixed(0)} s`);
  const dir = path.join(repoRoot(), '.cache', 'faults');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `faults-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify({ options, seconds, runs }, null, 2)}\n`);
  out(`results: ${path.relative(repoRoot(), file)}`);
  return rows.every((row) => row.outcome.ok) ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `faults failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
