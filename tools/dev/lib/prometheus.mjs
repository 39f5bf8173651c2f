// @ts-check
/**
 * Prometheus and promtool for the tests, without Docker and without root: Debian's `prometheus`
 * package is fetched with `apt-get download` into .cache/prometheus/ and unpacked there with
 * `dpkg-deb -x` (nothing is installed; the binaries are static Go programs that need only libc).
 *
 * Where the package comes from, in order:
 * 1. the machine's own apt lists (`apt-get download prometheus`; works as any user once
 *    `apt-get update` has run, which Debian images often have not);
 * 2. private apt lists in .cache/prometheus/apt/ (`apt-get update -o Dir::State::Lists=… -o Dir::Cache=…`,
 *    also without root), used when the machine has no lists or stale ones (a 404 for a superseded
 *    version).
 * The unpacked binaries stay in .cache/prometheus/debian/ with a `.complete` marker, so later runs use
 * them offline. Delete the folder to fetch the current package again.
 *
 * Exports:
 * - ensurePrometheus(): the cached binaries, or fetches them; checks that both run and report the same
 *   version, at least MIN_PROMETHEUS_VERSION. PROMETHEUS_BIN and PROMTOOL_BIN in the environment (both)
 *   name binaries to use instead (any machine with Prometheus installed otherwise).
 * - PROMETHEUS_CACHE_DIR
 *
 * Run directly (`node tools/dev/lib/prometheus.mjs`) it does the same and prints, as its last line, a
 * JSON object { prometheus, promtool, version }: how the end-to-end spec finds the binaries when it is
 * run on its own rather than through `npm test`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCaptured } from './processes.mjs';
import { REPO_ROOT, errorMessage, fail, formatDuration, note, ok, rel, step } from './util.mjs';

export const PROMETHEUS_CACHE_DIR = path.join(REPO_ROOT, '.cache', 'prometheus');
const UNPACKED_DIR = path.join(PROMETHEUS_CACHE_DIR, 'debian');
const APT_STATE_DIR = path.join(PROMETHEUS_CACHE_DIR, 'apt');
const MARKER_NAME = '.complete';
const PACKAGE = 'prometheus';

/**
 * The oldest Prometheus the tests are known to work with: they need `promtool check config|rules`,
 * the /api/v1 query, rules and targets APIs and /-/ready (all much older), and were written against
 * Debian 12's 2.42.
 */
export const MIN_PROMETHEUS_VERSION = '2.37.0';

const INSTALL_HINT =
  'Either run on Debian/Ubuntu with network access to its package mirror, or install Prometheus 2.37+ ' +
  '(with promtool) yourself and set PROMETHEUS_BIN and PROMTOOL_BIN to the two binaries.';

/**
 * @typedef {object} PrometheusBinaries
 * @property {string} prometheus path of the `prometheus` binary
 * @property {string} promtool path of the `promtool` binary
 * @property {string} version e.g. "2.42.0"
 * @property {string} source "cached Debian package 2.42.0+ds-5", "PROMETHEUS_BIN/PROMTOOL_BIN", …
 * @property {boolean} fetched whether the package was downloaded just now
 * @property {number} fetchMs time spent fetching and unpacking it (0 when cached)
 */

/**
 * "2.42.0" from `prometheus --version` ("prometheus, version 2.42.0+ds (branch: …)"), or throws naming
 * what went wrong.
 * @param {string} bin
 * @param {'prometheus' | 'promtool'} name
 */
function versionOf(bin, name) {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error) {
    const reason =
      /** @type {NodeJS.ErrnoException} */ (result.error).code === 'ENOENT'
        ? 'does not exist'
        : result.error.message;
    throw new Error(`${name} binary ${rel(bin)} ${reason}`);
  }
  const text = `${result.stdout}${result.stderr}`;
  const match = new RegExp(`^${name}, version (\\d+\\.\\d+\\.\\d+)`, 'm').exec(text);
  if (result.status !== 0 || !match) {
    throw new Error(
      `\`${rel(bin)} --version\` did not report a ${name} version (${result.status === 0 ? 'unexpected output' : `exit code ${result.status}`}): ${text.trim().split('\n')[0] ?? ''}`,
    );
  }
  return match[1];
}

/** @param {string} a @param {string} b */
function compareVersions(a, b) {
  const [x, y] = [a, b].map((version) => version.split('.').map(Number));
  for (let i = 0; i < 3; i++) {
    const difference = (x[i] ?? 0) - (y[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Checks that both binaries run, agree on their version and are recent enough; returns the version.
 * @param {string} prometheus
 * @param {string} promtool
 */
function verifiedVersion(prometheus, promtool) {
  const version = versionOf(prometheus, 'prometheus');
  const toolVersion = versionOf(promtool, 'promtool');
  if (toolVersion !== version)
    throw new Error(`prometheus is version ${version} but promtool is ${toolVersion}; use a matching pair`);
  if (compareVersions(version, MIN_PROMETHEUS_VERSION) < 0)
    throw new Error(`Prometheus ${version} is older than the ${MIN_PROMETHEUS_VERSION} the tests need`);
  return version;
}

/** @param {string} command */
function hasCommand(command) {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return !result.error && result.status === 0;
}

/**
 * Runs apt-get with the given options; resolves with its exit and output (never rejects).
 * @param {string[]} args
 * @param {string} cwd
 */
function aptGet(args, cwd) {
  // No terminal questions, no colours, messages in English (the error below quotes them).
  return runCaptured('apt-get', ['-q', ...args], {
    cwd,
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C' },
  });
}

/** apt options that keep package lists and apt's cache in .cache/prometheus/apt instead of /var. */
function privateAptOptions() {
  for (const dir of ['lists/partial', 'cache/archives/partial'])
    fs.mkdirSync(path.join(APT_STATE_DIR, dir), { recursive: true });
  return [
    '-o',
    `Dir::State::Lists=${path.join(APT_STATE_DIR, 'lists')}`,
    '-o',
    `Dir::Cache=${path.join(APT_STATE_DIR, 'cache')}`,
    // The lock files of the private folders: nobody else uses them, and /var/lib/dpkg/lock is root's.
    '-o',
    'Debug::NoLocking=1',
  ];
}

/** @param {string} output */
function lastLines(output, count = 8) {
  return output.trim().split('\n').slice(-count).join('\n');
}

/**
 * Downloads the package's .deb into `dir`: with the machine's apt lists first, then with private ones.
 * Returns the .deb's path and how it was found.
 * @param {string} dir
 */
async function downloadPackage(dir) {
  /** @type {string[]} */
  const attempts = [];
  const findDeb = () =>
    fs.readdirSync(dir).find((name) => name.startsWith(`${PACKAGE}_`) && name.endsWith('.deb'));

  const system = await aptGet(['download', PACKAGE], dir);
  const fromSystem = findDeb();
  if (system.code === 0 && fromSystem)
    return { deb: path.join(dir, fromSystem), route: "the machine's apt lists" };
  attempts.push(`apt-get download ${PACKAGE} (the machine's apt lists): ${lastLines(system.output, 3)}`);

  note('no usable system apt lists; fetching private ones into .cache/prometheus/apt (no root needed)');
  const options = privateAptOptions();
  const update = await aptGet([...options, 'update'], dir);
  if (update.code !== 0) {
    attempts.push(`apt-get update with private lists: ${lastLines(update.output)}`);
  } else {
    const download = await aptGet([...options, 'download', PACKAGE], dir);
    const fromPrivate = findDeb();
    if (download.code === 0 && fromPrivate)
      return { deb: path.join(dir, fromPrivate), route: `private apt lists in ${rel(APT_STATE_DIR)}` };
    attempts.push(`apt-get download ${PACKAGE} with private lists: ${lastLines(download.output)}`);
  }
  throw new Error(
    `Could not download Debian's ${PACKAGE} package.\n${attempts.map((line) => `- ${line}`).join('\n')}\n${INSTALL_HINT}`,
  );
}

/** @param {string} markerFile */
function readMarker(markerFile) {
  try {
    const marker = JSON.parse(fs.readFileSync(markerFile, 'utf8'));
    return typeof marker.packageVersion === 'string'
      ? /** @type {{ packageVersion: string }} */ (marker)
      : undefined;
  } catch {
    return undefined;
  }
}

/** @param {string} root an unpacked package */
function binariesIn(root) {
  return {
    prometheus: path.join(root, 'usr', 'bin', 'prometheus'),
    promtool: path.join(root, 'usr', 'bin', 'promtool'),
  };
}

/**
 * The binaries from PROMETHEUS_BIN/PROMTOOL_BIN, from the cache, or from Debian's package fetched
 * now (see the file comment). Throws an error that says what failed and what to do.
 * @returns {Promise<PrometheusBinaries>}
 */
export async function ensurePrometheus() {
  const fromEnv = {
    prometheus: process.env.PROMETHEUS_BIN?.trim(),
    promtool: process.env.PROMTOOL_BIN?.trim(),
  };
  if (fromEnv.prometheus || fromEnv.promtool) {
    if (!fromEnv.prometheus || !fromEnv.promtool)
      throw new Error('Set both PROMETHEUS_BIN and PROMTOOL_BIN, or neither (then Debian’s package is used)');
    const version = verifiedVersion(fromEnv.prometheus, fromEnv.promtool);
    return {
      prometheus: fromEnv.prometheus,
      promtool: fromEnv.promtool,
      version,
      source: 'PROMETHEUS_BIN/PROMTOOL_BIN',
      fetched: false,
      fetchMs: 0,
    };
  }

  const cached = readMarker(path.join(UNPACKED_DIR, MARKER_NAME));
  if (cached) {
    const binaries = binariesIn(UNPACKED_DIR);
    try {
      const version = verifiedVersion(binaries.prometheus, binaries.promtool);
      return {
        ...binaries,
        version,
        source: `cached Debian package ${cached.packageVersion}`,
        fetched: false,
        fetchMs: 0,
      };
    } catch (error) {
      note(
        `the cached Prometheus in ${rel(UNPACKED_DIR)} is unusable (${errorMessage(error)}); fetching it again`,
      );
    }
  }

  const missing = ['apt-get', 'dpkg-deb'].filter((command) => !hasCommand(command));
  if (missing.length > 0)
    throw new Error(
      `Prometheus for the tests comes from Debian's ${PACKAGE} package via apt-get and dpkg-deb, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not available here. ${INSTALL_HINT}`,
    );

  const started = Date.now();
  step(`Fetching Debian's ${PACKAGE} package into ${rel(PROMETHEUS_CACHE_DIR)} (once; ~20 MB)`);
  const tmpDir = path.join(PROMETHEUS_CACHE_DIR, `download.tmp-${process.pid}`);
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(tmpDir, { recursive: true });
  try {
    const { deb, route } = await downloadPackage(tmpDir);
    const fields = await runCaptured('dpkg-deb', ['--field', deb, 'Version']);
    const packageVersion = fields.code === 0 ? fields.output.trim() : path.basename(deb);
    const root = path.join(tmpDir, 'root');
    const unpack = await runCaptured('dpkg-deb', ['-x', deb, root]);
    if (unpack.code !== 0)
      throw new Error(`dpkg-deb -x ${path.basename(deb)} failed: ${lastLines(unpack.output)}`);
    const binaries = binariesIn(root);
    const version = verifiedVersion(binaries.prometheus, binaries.promtool);
    fs.writeFileSync(
      path.join(root, MARKER_NAME),
      `${JSON.stringify({ packageVersion, version, completedAt: new Date().toISOString() })}\n`,
    );
    fs.rmSync(UNPACKED_DIR, { recursive: true, force: true });
    try {
      fs.renameSync(root, UNPACKED_DIR);
    } catch (error) {
      // Another run unpacked the same package a moment earlier: use its copy.
      if (!readMarker(path.join(UNPACKED_DIR, MARKER_NAME))) throw error;
    }
    const fetchMs = Date.now() - started;
    ok(`Prometheus ${version} (Debian ${packageVersion}, from ${route}) ready (${formatDuration(fetchMs)})`);
    return {
      ...binariesIn(UNPACKED_DIR),
      version,
      source: `Debian package ${packageVersion}, fetched`,
      fetched: true,
      fetchMs,
    };
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensurePrometheus().then(
    (binaries) => {
      note(`Prometheus ${binaries.version} (${binaries.source})`);
      process.stdout.write(
        `${JSON.stringify({ prometheus: binaries.prometheus, promtool: binaries.promtool, version: binaries.version })}\n`,
      );
    },
    (error) => {
      fail(errorMessage(error));
      process.exit(1);
    },
  );
}
