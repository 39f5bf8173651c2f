// @ts-check
/**
 * Preloaded by the npm scripts that run TypeScript tools under ts-node (`ts-node -r
 * ./tools/ts-node/register-paths.cjs ...`): ts-node does not apply tsconfig.base.json `paths`, so this
 * maps the workspace's `@newsflow/*` imports to their sources. It handles exact aliases and `prefix/*`
 * patterns with one target, which is all tsconfig.base.json uses (tsconfig-paths would do the same,
 * but it is only a transitive dependency here). One copy for every tool, kept out of their sources.
 */
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
/** @type {{ compilerOptions?: { baseUrl?: string, paths?: Record<string, string[]> } }} */
const config = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const baseUrl = join(root, config.compilerOptions?.baseUrl ?? '.');
const entries = Object.entries(config.compilerOptions?.paths ?? {});

/** @param {string} request */
function mapRequest(request) {
  for (const [pattern, [target]] of entries) {
    if (target === undefined) continue;
    if (pattern === request) return join(baseUrl, target);
    if (pattern.endsWith('/*') && request.startsWith(pattern.slice(0, -1))) {
      return join(baseUrl, target.replace('*', request.slice(pattern.length - 1)));
    }
  }
  return undefined;
}

const loader =
  /** @type {{ _resolveFilename: (this: unknown, request: string, ...rest: unknown[]) => string }} */ (
    /** @type {unknown} */ (Module)
  );
const resolveFilename = loader._resolveFilename;
/** @param {string} request @param {unknown[]} rest @this {unknown} */
loader._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, mapRequest(request) ?? request, ...rest);
};
