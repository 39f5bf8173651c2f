/**
 * `npm run status -- [options]`: a table of the running pipeline from each service's /health and
 * /metrics (see USAGE in status-options.ts, `--help`, and the README's "Operating" section).
 */
import { runStatus } from './status';

runStatus({
  argv: process.argv.slice(2),
  env: process.env,
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `status failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
