/**
 * Writes docs/asyncapi.yaml from libs/contracts (after validating it against the AsyncAPI 3.0.0
 * schema), or with `--check` only compares: exit 1 when the file is missing or differs, with the first
 * difference and the command that regenerates it.
 *
 *   npm run docs:asyncapi              regenerate
 *   npm run docs:asyncapi -- --check   verify (CI)
 */

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ASYNCAPI_PATH, buildAsyncApiDocument, describeDrift, renderAsyncApiYaml } from './build-asyncapi';
import { findRepoRoot } from './repo-root';
import { createAsyncApiValidator, danglingRefs } from './validation';

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function main(argv: readonly string[]): number {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`Unknown argument(s): ${unknown.join(' ')}\nUsage: cli.ts [--check]`);
    return 2;
  }
  const path = join(findRepoRoot(__dirname), ASYNCAPI_PATH);
  const document = buildAsyncApiDocument();
  const expected = renderAsyncApiYaml(document);
  const current = readIfExists(path);

  if (argv.includes('--check')) {
    const drift = describeDrift(current, expected);
    if (drift !== undefined) {
      console.error(drift);
      return 1;
    }
    console.log(`${ASYNCAPI_PATH} is up to date.`);
    return 0;
  }

  // Never write a document that is not valid AsyncAPI 3.0.0 (the tests would reject it anyway).
  const problems = [...createAsyncApiValidator().validate(document), ...danglingRefs(document)];
  if (problems.length > 0) {
    console.error(
      `Not writing ${ASYNCAPI_PATH}: the generated document is invalid:\n  ${problems.join('\n  ')}`,
    );
    return 1;
  }
  if (current === expected) {
    console.log(`${ASYNCAPI_PATH} is up to date.`);
  } else {
    writeFileSync(path, expected);
    console.log(`Wrote ${ASYNCAPI_PATH}.`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
