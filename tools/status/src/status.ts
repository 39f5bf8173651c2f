import { summarise } from './pipeline-status';
import { scrapeServices } from './scrape';
import { USAGE, parseStatusArgs } from './status-options';
import { renderStatus } from './status-table';

export const EXIT = { ok: 0, notUp: 1, usage: 2 } as const;

/** `npm run status`: prints the pipeline's status; 1 when a service is down or not ready. */
export async function runStatus(input: {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  err: (text: string) => void;
}): Promise<number> {
  const parsed = parseStatusArgs(input.argv, input.env);
  if (parsed.kind === 'help') {
    input.out(USAGE);
    return EXIT.ok;
  }
  if (parsed.kind === 'error') {
    input.err(`status: ${parsed.message}`);
    return EXIT.usage;
  }
  const status = summarise(await scrapeServices(parsed.options));
  input.out(parsed.options.json ? JSON.stringify(status, null, 2) : renderStatus(status));
  return status.notUp.length > 0 ? EXIT.notUp : EXIT.ok;
}
