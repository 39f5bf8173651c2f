import { type ApiKeyRecord, type ApiKeyRepository } from './api-key.repository';

export const API_KEY_USAGE = `Usage: npm run api-key -- <command>

  create --name <name>   create a key; prints it (once: only its hash is kept) on stdout
  list                   list the keys: id, name, prefix, created, last used, status
  revoke <id>            revoke a key at once

Reads DATABASE_URL (default postgres://postgres@127.0.0.1:5432/newsflow).`;

export interface CommandOutput {
  /** Machine-readable results: the new key, the list. */
  out(line: string): void;
  /** What people read: confirmations, warnings, errors. */
  err(line: string): void;
}

type Repository = Pick<ApiKeyRepository, 'create' | 'list' | 'revoke'>;

/** Opens the database only for a command that is valid, and closes it afterwards. */
export type WithRepository = <T>(use: (repository: Repository) => Promise<T>) => Promise<T>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs one `api-key` command; returns the exit code (0 done, 1 not found, 2 usage). */
export async function runApiKeyCommand(
  argv: readonly string[],
  withRepository: WithRepository,
  output: CommandOutput,
): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'create': {
      const name = optionValue(rest, '--name')?.trim();
      if (!name || rest.length !== 2) return usage(output, 'create needs --name <name>');
      if (name.length > 200) return usage(output, '--name: at most 200 characters');
      const { key, record } = await withRepository((repository) => repository.create(name));
      output.out(key);
      output.err(`Created API key ${record.id} "${record.name}" (${record.prefix}…).`);
      output.err(
        'This is the only time the key is shown: store it now. Send it as: Authorization: Bearer <key>',
      );
      return 0;
    }
    case 'list': {
      if (rest.length > 0) return usage(output, 'list takes no arguments');
      const keys = await withRepository((repository) => repository.list());
      if (keys.length === 0) output.err('No API keys yet: npm run api-key -- create --name <name>');
      else output.out(formatTable(keys));
      return 0;
    }
    case 'revoke': {
      const [id] = rest;
      if (!id || rest.length !== 1 || !UUID.test(id))
        return usage(output, 'revoke needs the id of a key (see list)');
      if (!(await withRepository((repository) => repository.revoke(id)))) {
        output.err(`No active API key with id ${id}.`);
        return 1;
      }
      output.err(`Revoked API key ${id}: requests with it are refused from now on.`);
      return 0;
    }
    case '--help':
    case '-h':
    case 'help':
      output.out(API_KEY_USAGE);
      return 0;
    default:
      return usage(output, command === undefined ? 'a command is needed' : `unknown command ${command}`);
  }
}

function optionValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

function usage(output: CommandOutput, problem: string): number {
  output.err(`${problem}\n\n${API_KEY_USAGE}`);
  return 2;
}

function formatTable(keys: readonly ApiKeyRecord[]): string {
  const rows = [
    ['ID', 'NAME', 'PREFIX', 'CREATED', 'LAST USED', 'STATUS'],
    ...keys.map((key) => [
      key.id,
      key.name,
      `${key.prefix}…`,
      key.createdAt.toISOString(),
      key.lastUsedAt?.toISOString() ?? '-',
      key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active',
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
