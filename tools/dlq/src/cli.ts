/**
 * `npm run dlq -- list | show <id> | redrive | purge --before <time>`: operators inspect the dead-letter
 * topic and send dead letters back after a fix. See USAGE in args.ts (`--help`) and the README's
 * "Dead letters" section.
 */
import { createInterface } from 'node:readline/promises';

import { EXIT, runDlq } from './dlq';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

runDlq({
  argv: process.argv.slice(2),
  out,
  err,
  // Without a terminal nobody can answer: purge then insists on --yes.
  confirm: process.stdin.isTTY ? confirm : undefined,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    err(`dlq failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = EXIT.failure;
  },
);
