/**
 * Lets Node resolve the workspace's `@newsflow/*` imports (tsconfig.base.json `paths`) when a script
 * runs under ts-node, which does not apply `paths` itself. Only exact aliases and `prefix/*` patterns
 * with one target, which is all tsconfig.base.json uses; tsconfig-paths would do the same, but it is
 * only a transitive dependency of nx here. Import it first: the imports after it then resolve.
 *
 * A copy of tools/asyncapi/src/register-paths.ts: tools do not import each other's sources.
 */
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { findRepoRoot } from './repo-root';

type ResolveFilename = (this: unknown, request: string, ...rest: unknown[]) => string;

interface TsConfig {
  compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> };
}

function mapperFor(root: string): (request: string) => string | undefined {
  const config = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8')) as TsConfig;
  const baseUrl = join(root, config.compilerOptions?.baseUrl ?? '.');
  const entries = Object.entries(config.compilerOptions?.paths ?? {});
  return (request) => {
    for (const [pattern, [target]] of entries) {
      if (target === undefined) continue;
      if (pattern === request) return join(baseUrl, target);
      if (pattern.endsWith('/*') && request.startsWith(pattern.slice(0, -1))) {
        return join(baseUrl, target.replace('*', request.slice(pattern.length - 1)));
      }
    }
    return undefined;
  };
}

const mapRequest = mapperFor(findRepoRoot(__dirname));
const loader = Module as unknown as { _resolveFilename: ResolveFilename };
const resolveFilename = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return resolveFilename.call(this, mapRequest(request) ?? request, ...rest);
};
