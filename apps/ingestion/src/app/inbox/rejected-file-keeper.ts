import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { type Rejection } from '@newsflow/article-format';

import { REJECTED_DIR } from './inbox-paths';

export interface RejectionRecord extends Rejection {
  key: string;
  sizeBytes: number;
  firstSeenAt: string;
  rejectedAt: string;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * Moves a rejected file to `<inbox>/.rejected/<same relative path>` and writes the reason beside it as
 * `<name>.error.json`. Nothing is deleted: a second rejected file of the same name gets a suffix.
 */
export async function keepRejectedFile(input: {
  inboxDir: string;
  absolutePath: string;
  record: RejectionRecord;
}): Promise<string> {
  const target = await freeTargetPath(path.join(input.inboxDir, REJECTED_DIR, input.record.key));
  await mkdir(path.dirname(target), { recursive: true });
  await rename(input.absolutePath, target);
  await writeFile(`${target}.error.json`, `${JSON.stringify(input.record, null, 2)}\n`, 'utf8');
  return target;
}

async function freeTargetPath(wanted: string): Promise<string> {
  if (!(await exists(wanted))) return wanted;
  const { dir, name, ext } = path.parse(wanted);
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, `${name}.${n}${ext}`);
    if (!(await exists(candidate))) return candidate;
  }
}
