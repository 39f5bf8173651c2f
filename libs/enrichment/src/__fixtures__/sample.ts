import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The sample article (a copy of the repository-wide sample in shared/samples): `date YYYY-MM-DD <lede>`, then the body. */
export function loadSample(): { publishedAt: string; lede: string; text: string; wordCount: number } {
  const raw = readFileSync(join(__dirname, 'donbass-recognition-2022-02-22.txt'), 'utf8');
  const [first = '', ...rest] = raw.split('\n');
  const match = /^\s*date (\d{4}-\d{2}-\d{2}) (.*)$/.exec(first);
  const text = rest.join('\n').trim();
  const lede = match?.[2] ?? '';
  return {
    publishedAt: match?.[1] ?? '',
    lede,
    text,
    wordCount: `${lede} ${text}`.split(/\s+/).filter(Boolean).length,
  };
}
