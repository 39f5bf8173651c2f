/**
 * Runs one phase in this (fresh) process and reports its result to the parent over IPC. Started by
 * cli.ts with the phase input as JSON in argv[2]; not meant to be run by hand.
 *
 * It runs as JavaScript compiled by cli.ts (tsconfig.build.json, tsc-alias has rewritten the
 * `@newsflow/*` imports), not under ts-node: the TypeScript compiler alone would add some 90 MB to the
 * RSS being measured, and the service itself runs compiled code.
 */
import { type PhaseInput, type WorkerMessage } from './phase-types';
import { runPhase } from './phases';

function send(message: WorkerMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('phase-worker.ts must be started by cli.ts (no IPC channel)'));
      return;
    }
    process.send(message, undefined, {}, (error) => (error ? reject(error) : resolve()));
  });
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '') as PhaseInput;
  let message: WorkerMessage;
  try {
    message = { ok: true, result: await runPhase(input) };
  } catch (error) {
    message = { ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  await send(message);
  process.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
