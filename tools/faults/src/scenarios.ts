/**
 * The six fault scenarios. Each one starts a fresh stack, streams its inputs into the inbox, injects its
 * fault while the stream is in flight, waits for the pipeline to go quiet and accounts for every input.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { Topic } from '@newsflow/contracts';

import { type ScenarioOutcome, account } from './accounting';
import type { FaultsOptions, ScenarioNumber } from './args';
import { type InputArticle, KEYWORD, loadArticles } from './corpus';
import { fuzzFiles } from './fuzz';
import { kafkaFor, readDeadLetters, rejectionCodes, storedRows, waitUntilQuiet } from './observe';
import { SERVICE_NAMES, Stack, repoRoot } from './stack';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const SCENARIO_NAMES: Record<ScenarioNumber, string> = {
  1: 'kill -9 each service',
  2: 'Kafka broker restart',
  3: 'pg_terminate_backend',
  4: '5% poison + redrive',
  5: 'webhook receiver down',
  6: 'fuzzed input files',
};

export interface ScenarioRun {
  outcome: ScenarioOutcome;
  seconds: number;
  deadLettersByCode: Record<string, number>;
}

interface InputFile {
  name: string;
  content: Buffer;
}

/** Writes the files in batches (a stream, not one burst), each under a `.part` name renamed when complete. */
async function feed(stack: Stack, files: readonly InputFile[], batch = 50, pauseMs = 250): Promise<void> {
  for (let i = 0; i < files.length; i += batch) {
    for (const file of files.slice(i, i + batch)) {
      const target = path.join(stack.inbox, file.name);
      writeFileSync(`${target}.part`, file.content);
      renameSync(`${target}.part`, target);
    }
    await sleep(pauseMs);
  }
}

/** Runs the feed and starts `fault` once about `at` of the files are written. */
async function streamWithFault(
  stack: Stack,
  files: readonly InputFile[],
  fault: () => Promise<void>,
  at = 0.3,
): Promise<void> {
  const cut = Math.floor(files.length * at);
  await feed(stack, files.slice(0, cut));
  await Promise.all([feed(stack, files.slice(cut)), fault()]);
}

/** `npm run dlq -- redrive` against our broker, as an operator runs it after the fix. */
function redrive(stack: Stack, args: string[]): Promise<string> {
  const root = repoRoot();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'node_modules', 'ts-node', 'dist', 'bin.js'),
        '--transpile-only',
        '-r',
        './tools/ts-node/register-paths.cjs',
        '--project',
        'tools/dlq/tsconfig.json',
        'tools/dlq/src/cli.ts',
        'redrive',
        ...args,
      ],
      { cwd: root, env: { ...process.env, KAFKA_BROKERS: stack.brokers }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`dlq redrive exited ${code}: ${output}`)),
    );
  });
}

/** Scenario 4's poison: values each consumer must refuse (not JSON, not the contract's shape). */
function poisonValue(i: number): string {
  const kinds = ['{not json', JSON.stringify({ hello: 'world', i }), '[]', JSON.stringify({ article: null })];
  return kinds[i % kinds.length] as string;
}

export async function runScenario(
  number: ScenarioNumber,
  options: FaultsOptions,
  log: (line: string) => void,
): Promise<ScenarioRun> {
  const started = Date.now();
  const validCount = number === 6 ? Math.min(options.articles, 200) : options.articles;
  const articles: InputArticle[] = loadArticles(validCount, (number - 1) * 100);
  const fuzz =
    number === 6
      ? fuzzFiles(
          options.fuzzFiles,
          6,
          articles.map((article) => article.sample),
        )
      : [];
  const stack = new Stack({
    label: `s${number}`,
    // Short waits between webhook attempts so that scenario 5's outage is bridged within minutes.
    webhookRetrySchedule: '2,5,10,20,30,30,30,30,30',
  });
  const problems: string[] = [];
  const step = (line: string) =>
    log(`  [${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  try {
    step('starting broker, database and services');
    await stack.start();
    await stack.subscribe([KEYWORD]);
    step(`streaming ${articles.length} articles${fuzz.length ? ` and ${fuzz.length} malformed files` : ''}`);
    const files: InputFile[] = [...articles];
    let afterQuiet: (() => Promise<void>) | undefined;
    switch (number) {
      case 1:
        await streamWithFault(stack, files, async () => {
          for (const name of SERVICE_NAMES) {
            step(`kill -9 ${name} (pid ${stack.service(name).pid})`);
            await stack.service(name).kill9();
            await sleep(1_000);
            await stack.restart(name);
            step(`${name} restarted and ready`);
            await sleep(2_000);
          }
        });
        break;
      case 2:
        await streamWithFault(stack, files, async () => {
          step('stopping our Kafka broker');
          await stack.stopBroker();
          await sleep(10_000);
          await stack.startBroker();
          step('Kafka broker back');
        });
        break;
      case 3:
        await streamWithFault(stack, files, async () => {
          for (let round = 0; round < 5; round++) {
            step(
              `pg_terminate_backend: ${await stack.terminateConnections()} connections to ${stack.database}`,
            );
            await sleep(2_000);
          }
        });
        break;
      case 4: {
        // The fixable failure: a CHECK constraint on our own database that refuses articles whose id starts
        // with "0" (1 in 16). Storage dead-letters them (a constraint violation is permanent); "the fix" is
        // dropping the constraint, after which `npm run dlq -- redrive` stores them.
        await stack.query(
          `ALTER TABLE storage.articles ADD CONSTRAINT faults_poison CHECK (left(id, 1) <> '0') NOT VALID`,
        );
        const producer = kafkaFor(stack).producer();
        await producer.connect();
        try {
          await streamWithFault(stack, files, async () => {
            const perTopic = Math.ceil(articles.length * 0.05);
            for (const topic of [Topic.ArticleIngestedV1, Topic.ArticleEnrichedV1, Topic.NotificationV1]) {
              await producer.send({
                topic,
                messages: Array.from({ length: perTopic }, (_, i) => ({
                  key: randomBytes(8).toString('hex'),
                  value: poisonValue(i),
                })),
              });
            }
            step(`injected ${perTopic} poison messages into each of 3 topics`);
          });
        } finally {
          await producer.disconnect();
        }
        afterQuiet = async () => {
          const before = await readDeadLetters(stack);
          step(`dead letters before the fix: ${JSON.stringify(before.byCode)}`);
          await stack.query(`ALTER TABLE storage.articles DROP CONSTRAINT faults_poison`);
          const output = await redrive(stack, ['--stage', 'storage', '--code', 'DB_23514']);
          step(`fixed (constraint dropped) and redriven: ${output.trim().split('\n').slice(-1)[0] ?? ''}`);
        };
        break;
      }
      case 5:
        await streamWithFault(stack, files, async () => {
          step(`webhook receiver down for ${options.receiverDownSeconds} s`);
          await stack.receiver.stop();
          await sleep(options.receiverDownSeconds * 1000);
          await stack.receiver.start();
          step('webhook receiver back');
        });
        break;
      case 6:
        await feed(
          stack,
          [...files, ...fuzz].sort((a, b) => (a.name < b.name ? -1 : 1)),
          200,
          100,
        );
        break;
    }
    step('waiting for the pipeline to go quiet');
    const timeoutMs = 300_000;
    const quiet = await waitUntilQuiet(stack, { timeoutMs, log: step });
    if (quiet) problems.push(quiet);
    if (afterQuiet) {
      await afterQuiet();
      const again = await waitUntilQuiet(stack, { timeoutMs, log: step });
      if (again) problems.push(again);
    }
    if (number === 6) {
      const restarts = [...stack.services.values()].filter((service) => service.starts > 1);
      if (restarts.length > 0)
        problems.push(`restarted: ${restarts.map((service) => service.name).join(', ')}`);
    }
    const deadLetters = await readDeadLetters(stack);
    const outcome = account(
      {
        articleIds: new Set(articles.map((article) => article.id)),
        webhookArticleIds: new Set(
          articles.filter((article) => article.matches).map((article) => article.id),
        ),
        rejectedInputs: fuzz.map((file) => file.name),
      },
      {
        storedRows: await storedRows(stack),
        webhooks: stack.receiver.received,
        rejectionCodes: await rejectionCodes(stack),
        deadLetters: deadLetters.total,
        deadLettersWithoutContext: deadLetters.withoutContext,
        problems: [...problems, ...stack.problems],
      },
    );
    return { outcome, seconds: (Date.now() - started) / 1000, deadLettersByCode: deadLetters.byCode };
  } finally {
    step('stopping the stack');
    await stack.stop();
  }
}
