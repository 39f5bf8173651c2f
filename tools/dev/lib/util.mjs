// @ts-check
/**
 * Small shared helpers for the developer scripts in tools/dev: repository paths, terminal colours,
 * console output and durations. Node built-ins only (these scripts run before `npm ci`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tools/dev/lib → ../../..). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/**
 * A path relative to the repository root for messages (never print machine-specific absolute paths
 * when a relative one says the same).
 * @param {string} file
 */
export function rel(file) {
  const relative = path.relative(REPO_ROOT, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

/** @param {NodeJS.WriteStream} stream */
function colorEnabled(stream) {
  if ('NO_COLOR' in process.env) return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return Boolean(stream.isTTY);
}

export const stdoutColor = colorEnabled(process.stdout);
export const stderrColor = colorEnabled(process.stderr);

/** @typedef {'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'gray'} Color */

/** @type {Record<Color, [number, number]>} */
const CODES = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  gray: [90, 39],
};

/**
 * @param {Color} color
 * @param {string} text
 * @param {boolean} [enabled] defaults to whether stdout gets colours
 */
export function paint(color, text, enabled = stdoutColor) {
  if (!enabled) return text;
  const [open, close] = CODES[color];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** A line about what the script is doing now. @param {string} message */
export function step(message) {
  process.stdout.write(`${paint('cyan', '›')} ${message}\n`);
}

/** A line about something that went well. @param {string} message */
export function ok(message) {
  process.stdout.write(`${paint('green', '✔')} ${message}\n`);
}

/** A side note. @param {string} message */
export function note(message) {
  process.stdout.write(`${paint('gray', message)}\n`);
}

/**
 * A command installed in node_modules/.bin (run directly rather than through `npx`: one process less,
 * no npm wrapper between signals and the tool, and never a download).
 * @param {string} name
 */
export function localBin(name) {
  const bin = path.join(REPO_ROOT, 'node_modules', '.bin', name);
  if (!fs.existsSync(bin))
    throw new Error(`${rel(bin)} is missing; is \`${name}\` in package.json and installed (npm ci)?`);
  return bin;
}

/** @param {string} message */
export function warn(message) {
  process.stderr.write(`${paint('yellow', '!', stderrColor)} ${message}\n`);
}

/** @param {string} message */
export function fail(message) {
  process.stderr.write(`${paint('red', '✖', stderrColor)} ${message}\n`);
}

/** @param {number} ms */
export function formatDuration(ms) {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes} min ${seconds} s`;
}

/** @param {number} ms */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves with undefined after `ms`, without keeping the process alive (for Promise.race deadlines).
 * @param {number} ms
 * @returns {Promise<undefined>}
 */
export function deadline(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

/**
 * The last lines of a text file ('' when it does not exist), looking at most at its last `maxBytes`.
 * @param {string} file
 * @param {number} [lines]
 * @param {number} [maxBytes]
 */
export function tailFile(file, lines = 40, maxBytes = 64 * 1024) {
  let fd;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const length = Math.min(size, maxBytes);
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, size - length);
    return buffer.toString('utf8').split(/\r?\n/).filter(Boolean).slice(-lines).join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** @param {unknown} error */
export function errorMessage(error) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether a process with this id exists (and may be signalled by us).
 * @param {number} pid
 */
export function isPidAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return /** @type {NodeJS.ErrnoException} */ (error).code === 'EPERM';
  }
  try {
    // A zombie (exited, not yet reaped by its parent) still accepts signal 0.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/**
 * The command line of a running process ('' when unknown; Linux /proc only).
 * @param {number} pid
 */
export function processCommandLine(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return '';
  }
}

/**
 * The pid recorded in a pid file, when that process still runs and its command line names
 * `commandMarker` (a recycled pid of some other program must never be signalled).
 * @param {string} pidFile
 * @param {string} commandMarker
 */
export function pidFromFile(pidFile, commandMarker) {
  let pid;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isPidAlive(pid)) return undefined;
  const commandLine = processCommandLine(pid);
  return commandLine === '' || commandLine.includes(commandMarker) ? pid : undefined;
}

/**
 * Stops a process started earlier (possibly by another run) via its pid file: SIGTERM, then SIGKILL
 * after the timeout; removes the pid file. Resolves false when no such process runs.
 * @param {string} pidFile
 * @param {string} commandMarker
 * @param {number} timeoutMs
 */
export async function stopFromPidFile(pidFile, commandMarker, timeoutMs) {
  const pid = pidFromFile(pidFile, commandMarker);
  if (pid === undefined) {
    fs.rmSync(pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const until = Date.now() + timeoutMs;
  while (isPidAlive(pid) && Date.now() < until) await sleep(200);
  if (isPidAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
    while (isPidAlive(pid)) await sleep(100);
  }
  fs.rmSync(pidFile, { force: true });
  return true;
}
