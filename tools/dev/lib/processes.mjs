// @ts-check
/**
 * Child processes of the developer scripts.
 *
 * - `spawnPrefixed()` starts a long-running child (a service) whose output is printed line by line with
 *   a coloured `name │` prefix. It runs in its own process group, so a Ctrl-C in the terminal reaches
 *   only the script, which then stops the children in a controlled order.
 * - `runInherited()` runs a foreground command (npm ci, nx, jest) on the script's own terminal.
 * - Everything started is registered as a cleanup; `stopAll()` runs the cleanups in reverse order of
 *   registration (services before the broker they depend on). Children get SIGTERM, then SIGKILL after
 *   10 s.
 * - `onShutdownSignal()` runs `stopAll()` (plus the script's own handler) on SIGINT/SIGTERM/SIGHUP.
 *   The duplicate SIGINT that `npm run` forwards right after the terminal's one is ignored; a second
 *   Ctrl-C later kills whatever is left immediately.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import {
  REPO_ROOT,
  deadline,
  errorMessage,
  fail,
  formatDuration,
  note,
  paint,
  stderrColor,
  warn,
} from './util.mjs';

/** @typedef {{ code: number | null, signal: NodeJS.Signals | null, error?: Error }} ExitInfo */

/**
 * @typedef {object} ManagedProcess
 * @property {string} name
 * @property {number | undefined} pid
 * @property {import('node:child_process').ChildProcess} child
 * @property {Promise<ExitInfo>} exited resolves when the process has exited (never rejects)
 * @property {() => boolean} isRunning
 * @property {(timeoutMs?: number) => Promise<ExitInfo>} stop SIGTERM, then SIGKILL after the timeout
 */

/**
 * @typedef {object} Cleanup
 * @property {string} name
 * @property {() => Promise<unknown>} stop graceful, awaited by stopAll()
 * @property {() => void} [killNow] synchronous last resort (process exit, second Ctrl-C)
 */

/** @type {Cleanup[]} */
const cleanups = [];
let shuttingDown = false;
/** @type {Promise<void> | undefined} */
let stopping;

export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** True once stopAll() has begun: exits of children after that point are expected. */
export function isShuttingDown() {
  return shuttingDown;
}

/**
 * Registers something to stop on shutdown; returns a function that unregisters it.
 * @param {Cleanup} cleanup
 */
export function registerCleanup(cleanup) {
  cleanups.push(cleanup);
  return () => {
    const index = cleanups.indexOf(cleanup);
    if (index >= 0) cleanups.splice(index, 1);
  };
}

/** Stops everything registered, most recent first, one after the other. Safe to call repeatedly. */
export function stopAll() {
  shuttingDown = true;
  stopping ??= (async () => {
    while (cleanups.length > 0) {
      const cleanup = /** @type {Cleanup} */ (cleanups.pop());
      try {
        await cleanup.stop();
      } catch (error) {
        warn(`stopping ${cleanup.name} failed: ${errorMessage(error)}`);
      }
    }
  })();
  return stopping;
}

/** Sends the synchronous last-resort kill to everything still registered. */
function killEverythingNow() {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      cleanup.killNow?.();
    } catch {
      // best effort
    }
  }
}

// A script that throws or calls process.exit() must not leave detached children behind.
process.on('exit', killEverythingNow);

/** @type {import('./util.mjs').Color[]} */
const PALETTE = ['cyan', 'magenta', 'yellow', 'green', 'blue'];
let paletteIndex = 0;

/**
 * Sends a signal to a detached child's whole process group, falling back to the child itself.
 * @param {import('node:child_process').ChildProcess} child
 * @param {NodeJS.Signals} signal
 * @param {boolean} group
 */
function signalChild(child, signal, group) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    if (group) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Resolves when the child has exited and its output has been drained (or shortly after the exit when
 * a grandchild keeps the pipes open).
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<ExitInfo>}
 */
function whenExited(child) {
  return new Promise((resolve) => {
    /** @type {ExitInfo | undefined} */
    let info;
    let settled = false;
    /** @param {ExitInfo} value */
    const settle = (value) => {
      if (settled) return;
      settled = true;
      resolve(value);
    };
    child.once('error', (error) => settle({ code: null, signal: null, error }));
    child.once('exit', (code, signal) => {
      info = { code, signal };
      setTimeout(() => settle(/** @type {ExitInfo} */ (info)), 500).unref();
    });
    child.once('close', (code, signal) => settle(info ?? { code, signal }));
  });
}

/**
 * Describes how a process ended, e.g. "exit code 1" or "signal SIGKILL".
 * @param {ExitInfo} info
 */
export function describeExit(info) {
  if (info.error) return `failed to start: ${info.error.message}`;
  if (info.signal) return `signal ${info.signal}`;
  return `exit code ${info.code}`;
}

/**
 * Starts a long-running child whose stdout/stderr lines are printed with a coloured name prefix.
 * @param {string} name
 * @param {string} command
 * @param {string[]} args
 * @param {object} [options]
 * @param {string} [options.cwd] defaults to the repository root
 * @param {NodeJS.ProcessEnv} [options.env] the complete environment of the child
 * @param {import('./util.mjs').Color} [options.color]
 * @param {number} [options.prefixWidth] pad names to this width so the columns line up
 * @param {number} [options.stopTimeoutMs] SIGKILL after this long (default 10 s)
 * @param {(info: ExitInfo) => void} [options.onUnexpectedExit] called when it exits before stop()/stopAll()
 * @returns {ManagedProcess}
 */
export function spawnPrefixed(name, command, args, options = {}) {
  const {
    cwd = REPO_ROOT,
    env = process.env,
    prefixWidth = name.length,
    stopTimeoutMs = DEFAULT_STOP_TIMEOUT_MS,
    onUnexpectedExit,
  } = options;
  const color = options.color ?? PALETTE[paletteIndex++ % PALETTE.length];
  const prefix = `${paint(color, `${name.padEnd(prefixWidth)} │`)} `;
  const errPrefix = `${paint(color, `${name.padEnd(prefixWidth)} │`, stderrColor)} `;

  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  /** @type {Array<[import('node:stream').Readable | null, NodeJS.WriteStream, string]>} */
  const outputs = [
    [child.stdout, process.stdout, prefix],
    [child.stderr, process.stderr, errPrefix],
  ];
  for (const [input, output, linePrefix] of outputs) {
    if (!input) continue;
    readline
      .createInterface({ input, crlfDelay: Infinity })
      .on('line', (line) => output.write(`${linePrefix}${line}\n`));
  }

  let stopRequested = false;
  /** @type {ExitInfo | undefined} */
  let exitInfo;
  const exited = whenExited(child).then((info) => {
    exitInfo = info;
    unregister();
    if (!stopRequested && !shuttingDown) onUnexpectedExit?.(info);
    return info;
  });

  /** @param {number} [timeoutMs] */
  const stop = async (timeoutMs = stopTimeoutMs) => {
    stopRequested = true;
    if (exitInfo) return exitInfo;
    const started = Date.now();
    note(`stopping ${name}…`);
    signalChild(child, 'SIGTERM', false);
    const result = await Promise.race([exited, deadline(timeoutMs)]);
    if (result) {
      note(`stopped ${name} (${formatDuration(Date.now() - started)})`);
      return result;
    }
    warn(`${name} did not stop within ${formatDuration(timeoutMs)}; killing it`);
    signalChild(child, 'SIGKILL', true);
    return exited;
  };

  const unregister = registerCleanup({
    name,
    stop: () => stop(),
    killNow: () => signalChild(child, 'SIGTERM', false),
  });

  return { name, pid: child.pid, child, exited, isRunning: () => exitInfo === undefined, stop };
}

/**
 * Runs a foreground command attached to this terminal and resolves with its exit (never rejects).
 * While it runs it is registered for stopAll().
 * @param {string} command
 * @param {string[]} args
 * @param {object} [options]
 * @param {string} [options.cwd] defaults to the repository root
 * @param {NodeJS.ProcessEnv} [options.env]
 * @returns {Promise<ExitInfo>}
 */
export async function runInherited(command, args, options = {}) {
  const { cwd = REPO_ROOT, env = process.env } = options;
  // Same process group as this script: it is a foreground tool on the terminal (a Ctrl-C reaches it
  // directly, and it may read the terminal without being stopped by SIGTTIN). Run tools directly (see
  // localBin()), not through `npm exec`, which does not pass SIGTERM on to them.
  const child = spawn(command, args, { cwd, env, stdio: 'inherit' });
  const exited = whenExited(child);
  const unregister = registerCleanup({
    name: path.basename(command),
    stop: async () => {
      signalChild(child, 'SIGTERM', false);
      const result = await Promise.race([exited, deadline(DEFAULT_STOP_TIMEOUT_MS)]);
      if (!result) signalChild(child, 'SIGKILL', false);
      await exited;
    },
    killNow: () => signalChild(child, 'SIGTERM', false),
  });
  const info = await exited;
  unregister();
  return info;
}

/**
 * Runs a short command and captures its output (for tools such as mvn, java, psql).
 * @param {string} command
 * @param {string[]} args
 * @param {object} [options]
 * @param {string} [options.cwd]
 * @param {NodeJS.ProcessEnv} [options.env]
 * @returns {Promise<ExitInfo & { output: string }>}
 */
export async function runCaptured(command, args, options = {}) {
  const { cwd = REPO_ROOT, env = process.env } = options;
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  /** @type {Buffer[]} */
  const chunks = [];
  child.stdout?.on('data', (chunk) => chunks.push(chunk));
  child.stderr?.on('data', (chunk) => chunks.push(chunk));
  const exited = whenExited(child);
  const unregister = registerCleanup({
    name: command,
    stop: async () => {
      signalChild(child, 'SIGTERM', true);
      const result = await Promise.race([exited, deadline(DEFAULT_STOP_TIMEOUT_MS)]);
      if (!result) signalChild(child, 'SIGKILL', true);
      await exited;
    },
    killNow: () => signalChild(child, 'SIGTERM', true),
  });
  const info = await exited;
  unregister();
  const output = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\u001b\[[0-9;]*m/g, '');
  return { ...info, output };
}

const SIGNAL_NUMBERS = /** @type {Record<string, number>} */ ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 });

/**
 * Stops everything on SIGINT/SIGTERM/SIGHUP and exits. `handler` runs after stopAll() and returns the
 * exit code (default 128 + signal number).
 * @param {(signal: NodeJS.Signals) => number | void | Promise<number | void>} [handler]
 */
export function onShutdownSignal(handler) {
  let firstAt = 0;
  /** @param {NodeJS.Signals} signal */
  const listener = (signal) => {
    const now = Date.now();
    if (firstAt === 0) {
      firstAt = now;
      process.stdout.write('\n');
      note(`${signal} received; shutting down (press Ctrl-C again to kill immediately)`);
      stopAll()
        .then(() => handler?.(signal))
        .then(
          (code) => process.exit(typeof code === 'number' ? code : 128 + (SIGNAL_NUMBERS[signal] ?? 0)),
          (error) => {
            fail(errorMessage(error));
            process.exit(1);
          },
        );
      return;
    }
    // `npm run` forwards the terminal's SIGINT to us, so the same Ctrl-C can arrive twice.
    if (now - firstAt < 1500) return;
    warn('killing everything now');
    killEverythingNow();
    process.exit(130);
  };
  for (const signal of /** @type {NodeJS.Signals[]} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.on(signal, listener);
  }
}
