import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ResourceLimits, Worker } from 'node:worker_threads';

import { ENRICHMENT_WORKER_ENTRY } from './enrichment.worker';
import { ENRICHMENT_WORKER_ROLE, type EnrichmentWorkerData } from './protocol';

/** How a worker thread loads TypeScript sources when the pool itself runs from them (jest, ts-node tools). */
interface TypeScriptLoader {
  readonly tsNode: string;
  readonly registerPaths: string;
  readonly project: string;
  readonly entry: string;
}

/**
 * A new thread does not inherit jest's transformer or the ts-node hooks of the thread that starts it,
 * so it registers ts-node (transpile only, as the tools do) and the workspace's `@newsflow/*` paths
 * before requiring the `.ts` entry. Plain CommonJS: it runs before any TypeScript can be loaded.
 */
const TYPESCRIPT_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
const { tsNode, registerPaths, project, entry } = workerData.typescript;
require(tsNode).register({ transpileOnly: true, project });
require(registerPaths);
require(entry);
`;

const REGISTER_PATHS = join('tools', 'ts-node', 'register-paths.cjs');

let typescriptLoader: TypeScriptLoader | undefined;

/** The workspace root is the nearest folder above the sources holding the tools' path registration. */
function findTypeScriptLoader(): TypeScriptLoader {
  if (typescriptLoader) return typescriptLoader;
  let dir = dirname(ENRICHMENT_WORKER_ENTRY);
  while (!existsSync(join(dir, REGISTER_PATHS))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Cannot start a TypeScript enrichment worker: no ${REGISTER_PATHS} above ${ENRICHMENT_WORKER_ENTRY}`,
      );
    }
    dir = parent;
  }
  typescriptLoader = {
    tsNode: require.resolve('ts-node', { paths: [dir] }),
    registerPaths: join(dir, REGISTER_PATHS),
    project: join(dir, 'tsconfig.base.json'),
    entry: ENRICHMENT_WORKER_ENTRY,
  };
  return typescriptLoader;
}

/** Starts one enrichment worker thread from the compiled entry, or from its source through ts-node. */
export function launchEnrichmentWorker(resourceLimits: ResourceLimits): Worker {
  const workerData: EnrichmentWorkerData = { role: ENRICHMENT_WORKER_ROLE };
  if (!ENRICHMENT_WORKER_ENTRY.endsWith('.ts')) {
    return new Worker(ENRICHMENT_WORKER_ENTRY, { workerData, resourceLimits });
  }
  return new Worker(TYPESCRIPT_BOOTSTRAP, {
    eval: true,
    workerData: { ...workerData, typescript: findTypeScriptLoader() },
    resourceLimits,
  });
}
