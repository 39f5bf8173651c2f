// @ts-check
/**
 * Java programs the dev tooling runs without Docker (the Kafka broker, S3Proxy): a Java check, and jars
 * fetched once from Maven Central with a pinned pom.xml into a cache folder. A `.complete` marker records
 * the pom's hash, so editing the pom (a version bump) fetches again and an interrupted fetch never counts.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { runCaptured } from './processes.mjs';
import { rel, step } from './util.mjs';

const MARKER_NAME = '.complete';

const INSTALL_JAVA_HINT =
  'Install a Java 17+ runtime (e.g. `sudo apt-get install openjdk-17-jre-headless`, `brew install openjdk@17`) ' +
  'or point JAVA_HOME at one.';

/** The JVM to use: $JAVA_HOME/bin/java when JAVA_HOME is set (like Kafka's own scripts), else `java`. */
export function javaCommand() {
  const home = process.env.JAVA_HOME;
  if (home) {
    const bin = path.join(home, 'bin', 'java');
    if (fs.existsSync(bin)) return bin;
  }
  return 'java';
}

/**
 * Checks that java runs and is version 17 or newer; returns the command and major version.
 * @param {string} who what needs it, for the error message (e.g. "The local Kafka broker")
 */
export function checkJava(who) {
  const bin = javaCommand();
  const result = spawnSync(bin, ['-version'], { encoding: 'utf8' });
  if (result.error) {
    const reason =
      /** @type {NodeJS.ErrnoException} */ (result.error).code === 'ENOENT'
        ? 'was not found'
        : result.error.message;
    throw new Error(`${who} needs Java 17 or newer, but \`${bin}\` ${reason}. ${INSTALL_JAVA_HINT}`);
  }
  const text = `${result.stderr}${result.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= 17)) {
    const found = text.split('\n')[0]?.trim() || 'an unknown version';
    throw new Error(
      `${who} needs Java 17 or newer; \`${bin} -version\` reports: ${found}. ${INSTALL_JAVA_HINT}`,
    );
  }
  return { java: bin, major };
}

/** @param {string} what e.g. "the S3Proxy jar pinned in tools/s3proxy/pom.xml" @param {string} per e.g. "S3Proxy" */
function checkMaven(what, per) {
  const result = spawnSync('mvn', ['-B', '--version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new Error(
      `Maven (\`mvn\`) is needed once to download ${what}, but it ` +
        `${result.error ? 'was not found' : 'failed to run'}. Install Maven 3.8+ (e.g. \`sudo apt-get install maven\`, ` +
        `\`brew install maven\`) and run this again; it needs network access to Maven Central once per ${per} version.`,
    );
  }
}

/**
 * A `<name>` property of a pom.xml, e.g. the pinned version.
 * @param {string} pomFile @param {string} name
 */
export function pomProperty(pomFile, name) {
  const pom = fs.readFileSync(pomFile, 'utf8');
  const match = new RegExp(
    `<${name.replace(/\./g, '\\.')}>\\s*([^<\\s]+)\\s*</${name.replace(/\./g, '\\.')}>`,
  ).exec(pom);
  if (!match?.[1]) throw new Error(`${rel(pomFile)} has no <${name}> property`);
  return match[1];
}

/** @param {string} markerFile @param {string} pomHash */
function markerMatches(markerFile, pomHash) {
  try {
    return JSON.parse(fs.readFileSync(markerFile, 'utf8')).pomSha256 === pomHash;
  } catch {
    return false;
  }
}

/**
 * Makes sure `dir` holds what `mvn <goalArgs> -DoutputDirectory=...` fetches with `pomFile`: done already
 * when the marker matches the pom and `expectedFile` is there; otherwise fetched into a temporary folder
 * that replaces `dir` only once complete (so concurrent runs and interrupted fetches are safe).
 * @param {{ pomFile: string, dir: string, version: string, expectedFile: string, goalArgs: string[],
 *   fetching: string, failure: string, mavenNeededFor: string, mavenPer: string }} input
 *   `fetching`: the step line; `failure`: "Fetching S3Proxy 2.7.0" style prefix of the error message
 * @returns {Promise<{ fetched: boolean, fetchMs: number }>}
 */
export async function ensureMavenArtifacts(input) {
  const pomHash = crypto.createHash('sha256').update(fs.readFileSync(input.pomFile, 'utf8')).digest('hex');
  const marker = path.join(input.dir, MARKER_NAME);
  if (markerMatches(marker, pomHash) && fs.existsSync(path.join(input.dir, input.expectedFile))) {
    return { fetched: false, fetchMs: 0 };
  }
  const started = Date.now();
  step(input.fetching);
  checkMaven(input.mavenNeededFor, input.mavenPer);
  const tmpDir = `${input.dir}.tmp-${process.pid}`;
  fs.rmSync(tmpDir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(tmpDir), { recursive: true });
  const result = await runCaptured('mvn', [
    '-B',
    '-q',
    '-f',
    input.pomFile,
    ...input.goalArgs,
    `-DoutputDirectory=${tmpDir}`,
  ]);
  if (result.code !== 0 || !fs.existsSync(path.join(tmpDir, input.expectedFile))) {
    fs.rmSync(tmpDir, { recursive: true, force: true });
    const output = result.output.trim().split('\n').slice(-30).join('\n');
    throw new Error(
      `${input.failure} failed (mvn ${result.error ? result.error.message : `exit code ${result.code}`}). ` +
        `Maven must reach Maven Central (or your mirror in ~/.m2/settings.xml).\n${output}`,
    );
  }
  fs.writeFileSync(
    path.join(tmpDir, MARKER_NAME),
    `${JSON.stringify({ version: input.version, pomSha256: pomHash, completedAt: new Date().toISOString() })}\n`,
  );
  fs.rmSync(input.dir, { recursive: true, force: true });
  try {
    fs.renameSync(tmpDir, input.dir);
  } catch (error) {
    // Another run finished the same fetch a moment earlier: use its copy.
    fs.rmSync(tmpDir, { recursive: true, force: true });
    if (!markerMatches(marker, pomHash)) throw error;
  }
  return { fetched: true, fetchMs: Date.now() - started };
}
