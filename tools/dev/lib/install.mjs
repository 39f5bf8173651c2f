// @ts-check
/**
 * ensureNodeModules(): runs `npm ci` when node_modules is missing, or when package-lock.json is newer
 * than the last install (node_modules/.package-lock.json) and actually lists different packages, so an
 * `npm install <pkg>` that already updated node_modules does not trigger a needless reinstall.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runInherited, describeExit } from './processes.mjs';
import { REPO_ROOT, formatDuration, note, ok, step } from './util.mjs';

/** @typedef {{ version?: string, resolved?: string, link?: boolean, optional?: boolean, devOptional?: boolean, peer?: boolean }} LockEntry */

/**
 * @param {string} file
 * @returns {Record<string, LockEntry> | undefined}
 */
function lockPackages(file) {
  try {
    const packages = JSON.parse(fs.readFileSync(file, 'utf8')).packages;
    return packages && typeof packages === 'object' ? packages : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether what is installed (the hidden lockfile npm writes into node_modules) matches package-lock.json.
 * Optional packages may be missing from node_modules (other platforms).
 * @param {string} lockFile
 * @param {string} hiddenLockFile
 */
export function installedMatchesLock(lockFile, hiddenLockFile) {
  const wanted = lockPackages(lockFile);
  const installed = lockPackages(hiddenLockFile);
  if (!wanted || !installed) return false;
  for (const [key, entry] of Object.entries(installed)) {
    if (key === '') continue;
    const expected = wanted[key];
    if (!expected || expected.version !== entry.version) return false;
    if (expected.resolved && entry.resolved && expected.resolved !== entry.resolved) return false;
  }
  for (const [key, entry] of Object.entries(wanted)) {
    if (key === '' || key in installed) continue;
    if (!(entry.optional || entry.devOptional || entry.peer)) return false;
  }
  return true;
}

/**
 * Installs the locked dependencies with `npm ci` when needed; prints what it decided.
 * @param {{ root?: string }} [options]
 * @returns {Promise<{ installed: boolean }>}
 */
export async function ensureNodeModules({ root = REPO_ROOT } = {}) {
  const lockFile = path.join(root, 'package-lock.json');
  const modulesDir = path.join(root, 'node_modules');
  const hiddenLockFile = path.join(modulesDir, '.package-lock.json');

  /** @type {string | undefined} */
  let reason;
  if (!fs.existsSync(lockFile)) {
    throw new Error('package-lock.json is missing; run `npm install` once to create it');
  } else if (!fs.existsSync(modulesDir)) {
    reason = 'node_modules is missing';
  } else if (!fs.existsSync(hiddenLockFile)) {
    reason = 'node_modules looks incomplete (no node_modules/.package-lock.json)';
  } else if (fs.statSync(lockFile).mtimeMs > fs.statSync(hiddenLockFile).mtimeMs) {
    if (installedMatchesLock(lockFile, hiddenLockFile)) {
      note('package-lock.json is newer than node_modules but lists the same packages; not reinstalling');
      return { installed: false };
    }
    reason = 'package-lock.json changed since the last install';
  }

  if (!reason) {
    note('node_modules is up to date with package-lock.json');
    return { installed: false };
  }

  const started = Date.now();
  step(`${reason}: running npm ci`);
  const result = await runInherited('npm', ['ci'], { cwd: root });
  if (result.code !== 0) throw new Error(`npm ci failed (${describeExit(result)})`);
  ok(`npm ci done (${formatDuration(Date.now() - started)})`);
  return { installed: true };
}
