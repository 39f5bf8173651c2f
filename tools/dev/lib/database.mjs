// @ts-check
/**
 * Postgres helpers for the developer scripts. They run a tiny inline script with the `pg` package
 * (`node -e`, from the repository root, so it needs node_modules) and fall back to `psql` when `pg` is
 * not installed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { runCaptured } from './processes.mjs';
import { REPO_ROOT } from './util.mjs';

const PG_SCRIPT = String.raw`
const { Client } = require('pg');
const { ADMIN_URL, DB_NAME, MODE } = process.env;
const ident = '"' + DB_NAME.replace(/"/g, '""') + '"';
(async () => {
  const client = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    if (MODE === 'recreate') {
      try {
        await client.query('DROP DATABASE IF EXISTS ' + ident + ' WITH (FORCE)');
      } catch (error) {
        if (error.code !== '42601') throw error; // Postgres < 13 has no WITH (FORCE)
        await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [DB_NAME]);
        await client.query('DROP DATABASE IF EXISTS ' + ident);
      }
      await client.query('CREATE DATABASE ' + ident);
    } else {
      const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB_NAME]);
      if (existing.rowCount === 0) {
        await client.query('CREATE DATABASE ' + ident).catch((error) => {
          // Created concurrently: 42P04 duplicate_database, or 23505 when both passed the check at once.
          if (error.code !== '42P04' && error.code !== '23505') throw error;
        });
      }
    }
  } finally {
    await client.end();
  }
})().catch((error) => {
  console.error(error.message || String(error));
  process.exit(1);
});
`;

/**
 * A Postgres URL without its password, for messages.
 * @param {string} url
 */
export function redactUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * The same server and credentials, another database.
 * @param {string} url
 * @param {string} database
 */
export function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** @param {string} url */
export function databaseName(url) {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'postgres';
}

/**
 * @param {'recreate' | 'ensure'} mode
 * @param {string} adminUrl
 * @param {string} name
 */
async function run(mode, adminUrl, name) {
  const hasPg = fs.existsSync(path.join(REPO_ROOT, 'node_modules', 'pg', 'package.json'));
  if (!hasPg && mode === 'ensure') return; // optional: the services create their database themselves
  const result = hasPg
    ? await runCaptured(process.execPath, ['-e', PG_SCRIPT], {
        env: { ...process.env, ADMIN_URL: adminUrl, DB_NAME: name, MODE: mode },
      })
    : await runCaptured('psql', [
        adminUrl,
        '-X',
        '-q',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`,
        '-c',
        `CREATE DATABASE "${name.replace(/"/g, '""')}"`,
      ]);
  if (result.code !== 0) {
    const how = result.error ? result.error.message : result.output.trim() || `exit code ${result.code}`;
    throw new Error(`Postgres at ${redactUrl(adminUrl)}: ${how}`);
  }
}

/**
 * Drops and creates a database (terminating its connections).
 * @param {string} adminUrl a URL of a database that stays, e.g. …/postgres
 * @param {string} name
 */
export function recreateDatabase(adminUrl, name) {
  return run('recreate', adminUrl, name);
}

/**
 * Creates the database of `url` unless it exists (the services also do this; doing it once up front
 * avoids several services racing to create it on a first start).
 * @param {string} url
 */
export function ensureDatabase(url) {
  return run('ensure', withDatabase(url, 'postgres'), databaseName(url));
}
